/**
 * Data sets and mini-batches: the {@link dev.autograd.nn.data.Dataset} interface, the tensor-backed
 * {@link dev.autograd.nn.data.TensorDataset}, and {@link dev.autograd.nn.data.DataLoader}, which yields
 * {@link dev.autograd.nn.data.Batch}es with a batch size, seeded per-epoch shuffling, drop-last and data
 * augmentation by seeded {@link dev.autograd.nn.data.Transform}s ({@link dev.autograd.nn.data.Transforms}: flips,
 * crops with padding, shifts, Gaussian noise, normalisation), per sample or per batch. Real data:
 * {@link dev.autograd.nn.data.FashionMnist}, read by the IDX reader {@link dev.autograd.nn.data.IdxFile}.
 */
package dev.autograd.nn.data;
