package dev.autograd.internal.kernel;

/** How a reduction combines the elements it folds together. */
public enum ReduceOp {
    SUM, MAX, MIN
}
