package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * The Gaussian error linear unit (Hendrycks and Gimpel 2016), {@code x Phi(x)} with {@code Phi} the
 * standard normal CDF, element-wise; optionally its tanh approximation
 * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
 */
public final class GELU extends Module {

    private final boolean tanhApproximation;

    /** The exact GELU, with erf. */
    public GELU() {
        this(false);
    }

    /**
     * The exact GELU or its tanh approximation.
     *
     * @param tanhApproximation whether to use the tanh approximation (PyTorch's {@code approximate="tanh"})
     */
    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    /**
     * Applies the activation element-wise.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(tanhApproximation);
    }

    @Override
    protected String extraRepr() {
        return tanhApproximation ? "approximate=tanh" : "";
    }
}
