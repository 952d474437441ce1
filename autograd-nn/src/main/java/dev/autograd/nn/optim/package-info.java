/**
 * Optimizers ({@link dev.autograd.nn.optim.SGD}, {@link dev.autograd.nn.optim.Adam},
 * {@link dev.autograd.nn.optim.AdamW}, {@link dev.autograd.nn.optim.RMSprop},
 * {@link dev.autograd.nn.optim.Adagrad}), which update parameters in place with PyTorch's formulas and
 * expose their state for saving and resuming, and learning-rate schedules
 * ({@link dev.autograd.nn.optim.StepLR}, {@link dev.autograd.nn.optim.ExponentialLR},
 * {@link dev.autograd.nn.optim.CosineAnnealingLR}, {@link dev.autograd.nn.optim.LinearWarmup}) that drive
 * any optimizer's learning rate by a closed-form function of the step; and
 * {@link dev.autograd.nn.optim.GradScaler}, the dynamic loss scaling of mixed-precision training.
 */
package dev.autograd.nn.optim;
