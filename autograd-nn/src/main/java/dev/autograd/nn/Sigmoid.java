package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * The logistic sigmoid {@code 1 / (1 + e^-x)}, element-wise. Derivative: {@code s (1 - s)}.
 */
public final class Sigmoid extends Module {

    /** The activation; it has no parameters. */
    public Sigmoid() {
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
