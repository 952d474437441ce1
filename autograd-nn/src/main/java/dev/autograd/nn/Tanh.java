package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * The hyperbolic tangent, element-wise. Derivative: {@code 1 - tanh(x)^2}.
 */
public final class Tanh extends Module {

    /** The activation; it has no parameters. */
    public Tanh() {
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
