package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * The rectified linear unit, {@code max(x, 0)}, element-wise. Its derivative is 1 where {@code x > 0},
 * else 0 (0 at the kink, as in PyTorch).
 */
public final class ReLU extends Module {

    /** The activation; it has no parameters. */
    public ReLU() {
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
