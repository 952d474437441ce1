package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * The identity, {@code y = x}: a placeholder where a module is expected (e.g. no activation).
 */
public final class Identity extends Module {

    /** The activation; it has no parameters. */
    public Identity() {
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
