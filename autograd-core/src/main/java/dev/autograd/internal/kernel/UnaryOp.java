package dev.autograd.internal.kernel;

/**
 * Element-wise functions of one argument that the kernels know. {@code POW} takes the exponent as its
 * parameter, {@code LEAKY_RELU} the negative slope.
 *
 * <p>Each entry says what its fused backward kernel reads: the function's output {@code y} (when the
 * derivative is cheapest from it, e.g. {@code tanh' = 1 - y^2}) or its input {@code x}.
 */
public enum UnaryOp {
    /** -x; derivative -1. */
    NEG(false),
    /** e^x; derivative y. */
    EXP(true),
    /** ln x; derivative 1 / x. */
    LOG(false),
    /** sqrt x; derivative 1 / (2 y). */
    SQRT(true),
    /** |x|; derivative sign(x). */
    ABS(false),
    /** sign(x); derivative 0. */
    SIGN(false),
    /** tanh x; derivative 1 - y^2. */
    TANH(true),
    /** 1 / (1 + e^-x); derivative y (1 - y). */
    SIGMOID(true),
    /** max(x, 0); derivative 1 where y > 0, else 0. */
    RELU(true),
    /** x^p; derivative p x^(p - 1) (0 when p = 0). */
    POW(false),
    /** sin x; derivative cos x. */
    SIN(false),
    /** cos x; derivative -sin x. */
    COS(false),
    /** ln(1 + x); derivative 1 / (1 + x). */
    LOG1P(false),
    /** e^x - 1; derivative y + 1. */
    EXPM1(true),
    /** 1 / x; derivative -y^2. */
    RECIPROCAL(true),
    /** x^2; derivative 2 x. */
    SQUARE(false),
    /** erf x; derivative 2 / sqrt(pi) e^(-x^2). */
    ERF(false),
    /** ln(1 + e^x); derivative sigmoid(x). */
    SOFTPLUS(false),
    /** x for x &gt; 0, else p x; derivative 1 for x &gt; 0, else p. */
    LEAKY_RELU(false),
    /** The exact GELU x Phi(x) = x/2 (1 + erf(x / sqrt 2)); derivative Phi(x) + x phi(x). */
    GELU(false),
    /**
     * The tanh-approximated GELU x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x sigmoid(z),
     * z = 2 sqrt(2/pi) (x + 0.044715 x^3); derivative s + x s (1 - s) z' with s = sigmoid(z).
     */
    GELU_TANH(false);

    private final boolean derivativeFromOutput;

    UnaryOp(boolean derivativeFromOutput) {
        this.derivativeFromOutput = derivativeFromOutput;
    }

    /** @return whether the fused backward reads the output {@code y} (else the input {@code x}) */
    public boolean derivativeFromOutput() {
        return derivativeFromOutput;
    }
}
