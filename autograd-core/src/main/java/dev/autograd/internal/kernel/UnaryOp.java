package dev.autograd.internal.kernel;

/**
 * Element-wise functions of one argument that the kernels know. {@code POW} takes the exponent as its
 * parameter, {@code LEAKY_RELU} the negative slope.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, TANH, SIGMOID, RELU, POW, SIN, COS, LOG1P, EXPM1, RECIPROCAL, SQUARE,
    ERF, SOFTPLUS, LEAKY_RELU
}
