package dev.autograd.internal.kernel;

/** Element-wise functions of one argument that the kernels know. {@code POW} takes a parameter. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, TANH, SIGMOID, RELU, POW, SIN, COS, LOG1P, EXPM1, RECIPROCAL, SQUARE
}
