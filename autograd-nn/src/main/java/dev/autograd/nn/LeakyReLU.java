package dev.autograd.nn;

import dev.autograd.Tensor;

/** {@code x} where {@code x > 0}, else {@code slope * x}, element-wise (PyTorch's default slope 0.01). */
public final class LeakyReLU extends Module {

    private final double slope;

    /** With PyTorch's default negative slope, 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * With the given negative slope.
     *
     * @param slope the factor for negative inputs
     */
    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    /** @return the negative slope */
    public double slope() {
        return slope;
    }

    @Override
    protected String extraRepr() {
        return "slope=" + slope;
    }
}
