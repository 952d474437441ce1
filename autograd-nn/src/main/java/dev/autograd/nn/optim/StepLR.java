package dev.autograd.nn.optim;

/**
 * Decays the rate by {@code gamma} every {@code stepSize} steps, as PyTorch's {@code StepLR}:
 * {@code lr(t) = base * gamma^floor(t / stepSize)}.
 */
public final class StepLR extends LRScheduler {

    private final int stepSize;
    private final double gamma;

    /**
     * A step decay.
     *
     * @param optimizer the optimizer, whose current rate is the base rate
     * @param stepSize  the number of steps between decays, at least 1
     * @param gamma     the factor applied at each decay, in {@code (0, 1]} typically (at least 0)
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        this.stepSize = checkPositive("StepLR: stepSize", stepSize);
        if (!(gamma >= 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("StepLR: gamma must be finite and >= 0, got " + gamma);
        }
        this.gamma = gamma;
        start();
    }

    /** {@inheritDoc} Here {@code base * gamma^floor(step / stepSize)}. */
    @Override
    public double learningRateAt(int step) {
        checkStep(step);
        return baseLearningRate() * Math.pow(gamma, step / stepSize);
    }
}
