package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * Merges a range of axes into one, by default every axis after the batch axis ({@code [N, C, H, W]} to
 * {@code [N, C H W]}), as PyTorch's {@code nn.Flatten}.
 */
public final class Flatten extends Module {

    private final int startAxis;
    private final int endAxis;

    /** Flattens axes 1 to the last. */
    public Flatten() {
        this(1, -1);
    }

    /**
     * Flattens axes {@code startAxis..endAxis}, inclusive.
     *
     * @param startAxis the first axis; negative counts from the end
     * @param endAxis   the last axis; negative counts from the end
     */
    public Flatten(int startAxis, int endAxis) {
        this.startAxis = startAxis;
        this.endAxis = endAxis;
    }

    /**
     * Reshapes.
     *
     * @param x a tensor with the axes
     * @return the same values with the axes merged
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startAxis, endAxis);
    }

    @Override
    protected String extraRepr() {
        return "start=" + startAxis + ", end=" + endAxis;
    }
}
