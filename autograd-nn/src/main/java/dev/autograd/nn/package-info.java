/**
 * Neural-network building blocks on top of {@code autograd-core}: modules and parameters, layers,
 * activations, losses, weight initialisation, optimizers ({@code dev.autograd.nn.optim}), learning-rate
 * schedules, data loaders and model save/load.
 *
 * <p>This package is a placeholder: the layer module arrives in a later issue. Until then, models are
 * written directly with the core {@link dev.autograd.Tensor} operations, as
 * {@code dev.autograd.examples.TwoMoons} does.
 */
package dev.autograd.nn;
