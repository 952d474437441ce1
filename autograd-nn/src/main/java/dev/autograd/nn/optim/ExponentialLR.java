package dev.autograd.nn.optim;

/**
 * Decays the rate by {@code gamma} every step, as PyTorch's {@code ExponentialLR}:
 * {@code lr(t) = base * gamma^t}.
 */
public final class ExponentialLR extends LRScheduler {

    private final double gamma;

    /**
     * An exponential decay.
     *
     * @param optimizer the optimizer, whose current rate is the base rate
     * @param gamma     the factor per step, at least 0
     */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        if (!(gamma >= 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("ExponentialLR: gamma must be finite and >= 0, got " + gamma);
        }
        this.gamma = gamma;
        start();
    }

    /** {@inheritDoc} Here {@code base * gamma^step}. */
    @Override
    public double learningRateAt(int step) {
        checkStep(step);
        return baseLearningRate() * Math.pow(gamma, step);
    }
}
