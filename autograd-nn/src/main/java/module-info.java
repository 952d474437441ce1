/**
 * Neural networks on {@code autograd-core}: modules and layers ({@code dev.autograd.nn}), optimizers and
 * learning-rate schedules ({@code dev.autograd.nn.optim}), data sets and loaders
 * ({@code dev.autograd.nn.data}), hyperparameter search and the learning-rate range test
 * ({@code dev.autograd.nn.tune}).
 */
module dev.autograd.nn {
    requires transitive dev.autograd.core;
    requires org.slf4j;

    exports dev.autograd.nn;
    exports dev.autograd.nn.optim;
    exports dev.autograd.nn.data;
    exports dev.autograd.nn.tune;
}
