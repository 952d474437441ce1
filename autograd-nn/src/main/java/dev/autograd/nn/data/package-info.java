/**
 * Data sets and mini-batches: the {@link dev.autograd.nn.data.Dataset} interface, the tensor-backed
 * {@link dev.autograd.nn.data.TensorDataset}, and {@link dev.autograd.nn.data.DataLoader}, which yields
 * {@link dev.autograd.nn.data.Batch}es with a batch size, seeded per-epoch shuffling and drop-last. Real data:
 * {@link dev.autograd.nn.data.FashionMnist}, read by the IDX reader {@link dev.autograd.nn.data.IdxFile}.
 */
package dev.autograd.nn.data;
