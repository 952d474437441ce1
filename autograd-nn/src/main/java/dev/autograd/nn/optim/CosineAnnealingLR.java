package dev.autograd.nn.optim;

/**
 * Cosine annealing (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts), the closed form of
 * PyTorch's {@code CosineAnnealingLR}:
 * {@code lr(t) = etaMin + (base - etaMin) (1 + cos(pi t / tMax)) / 2} for {@code t <= tMax}. After
 * {@code tMax} steps the rate stays at {@code etaMin} (PyTorch's formula would rise again along the cosine,
 * which is rarely what a run that outlives its schedule wants).
 */
public final class CosineAnnealingLR extends LRScheduler {

    private final int tMax;
    private final double etaMin;

    /**
     * A cosine decay from the base rate to {@code etaMin} over {@code tMax} steps.
     *
     * @param optimizer the optimizer, whose current rate is the base rate
     * @param tMax      the number of steps of the decay, at least 1
     * @param etaMin    the final rate, at least 0
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        this.tMax = checkPositive("CosineAnnealingLR: tMax", tMax);
        if (!(etaMin >= 0) || !Double.isFinite(etaMin)) {
            throw new IllegalArgumentException("CosineAnnealingLR: etaMin must be finite and >= 0, got " + etaMin);
        }
        this.etaMin = etaMin;
        start();
    }

    /** {@inheritDoc} Here {@code etaMin + (base - etaMin)(1 + cos(pi min(step, tMax) / tMax)) / 2}. */
    @Override
    public double learningRateAt(int step) {
        checkStep(step);
        int t = Math.min(step, tMax);
        return etaMin + (baseLearningRate() - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}
