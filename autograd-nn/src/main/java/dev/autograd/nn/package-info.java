/**
 * Neural-network building blocks on top of {@code autograd-core}, made only of core ops (every gradient
 * comes from core's autograd; none is written here).
 *
 * <ul>
 *   <li>{@link dev.autograd.nn.Module}: named parameters, buffers and children; {@code train()}/{@code eval()},
 *       {@code to(DType)}, {@code stateDict()}, {@code functionalCall} and a printable tree.</li>
 *   <li>Layers: {@link dev.autograd.nn.Linear}, {@link dev.autograd.nn.Sequential}, {@link dev.autograd.nn.MLP},
 *       {@link dev.autograd.nn.Conv2d}, {@link dev.autograd.nn.MaxPool2d}, {@link dev.autograd.nn.Flatten},
 *       {@link dev.autograd.nn.BatchNorm1d}, {@link dev.autograd.nn.LayerNorm}, {@link dev.autograd.nn.Embedding},
 *       {@link dev.autograd.nn.Dropout}, {@link dev.autograd.nn.Residual}, and the activations
 *       {@link dev.autograd.nn.ReLU}, {@link dev.autograd.nn.Tanh}, {@link dev.autograd.nn.Sigmoid},
 *       {@link dev.autograd.nn.LeakyReLU}, {@link dev.autograd.nn.GELU}, {@link dev.autograd.nn.Softmax},
 *       {@link dev.autograd.nn.Identity}.</li>
 *   <li>Recurrent layers (batch-first, PyTorch's equations and parameter names): {@link dev.autograd.nn.RNN},
 *       {@link dev.autograd.nn.LSTM} and {@link dev.autograd.nn.GRU}, whose {@code forwardWithState} returns a
 *       {@link dev.autograd.nn.RecurrentOutput}.</li>
 *   <li>{@link dev.autograd.nn.Losses} (with {@link dev.autograd.nn.Reduction}), {@link dev.autograd.nn.Init},
 *       {@link dev.autograd.nn.GradClip}, and model files in {@link dev.autograd.nn.SafeTensors}.</li>
 *   <li>{@link dev.autograd.nn.GradientMonitor}: per-layer gradient and weight norms and update-to-weight
 *       ratios during training, with warnings when gradients vanish or explode.</li>
 *   <li>Attention and transformers: {@link dev.autograd.nn.MultiheadAttention} with
 *       {@link dev.autograd.nn.AttentionMask} (key-padding, causal, boolean or additive),
 *       {@link dev.autograd.nn.TransformerEncoderLayer} (pre- or post-norm),
 *       {@link dev.autograd.nn.TransformerEncoder} and {@link dev.autograd.nn.SinusoidalPositionalEncoding}.</li>
 * </ul>
 *
 * <p>Optimizers and learning-rate schedules are in {@code dev.autograd.nn.optim}; data sets and mini-batch
 * loaders in {@code dev.autograd.nn.data}; hyperparameter search (grid and random, in parallel, with early
 * stopping and a validation split) and the learning-rate range test in {@code dev.autograd.nn.tune}.
 */
package dev.autograd.nn;
