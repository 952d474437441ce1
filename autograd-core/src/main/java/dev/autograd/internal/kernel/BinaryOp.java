package dev.autograd.internal.kernel;

/** Element-wise functions of two broadcast arguments. Comparisons give 1 where true and 0 where false. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, LT, GE, LE, EQ
}
