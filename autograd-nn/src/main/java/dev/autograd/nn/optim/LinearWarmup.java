package dev.autograd.nn.optim;

/**
 * A linear warm-up in front of another schedule (Goyal et al. 2017): for the first {@code warmupSteps}
 * steps the rate rises linearly from {@code startFactor * base} towards {@code base}, then the wrapped
 * schedule runs from its own step 0:
 *
 * <pre>
 * lr(t) = base * (startFactor + (1 - startFactor) * t / warmupSteps)    for t &lt; warmupSteps
 * lr(t) = after.learningRateAt(t - warmupSteps)                         for t &gt;= warmupSteps
 * </pre>
 *
 * <p>This is PyTorch's {@code SequentialLR([LinearLR(start_factor, total_iters=warmupSteps), after],
 * milestones=[warmupSteps])} in closed form. Step only the warm-up, never the wrapped schedule.
 */
public final class LinearWarmup extends LRScheduler {

    private final LRScheduler after;
    private final int warmupSteps;
    private final double startFactor;

    /**
     * A warm-up followed by {@code after}, which must be freshly created on the optimizer.
     *
     * @param after       the schedule after the warm-up; its optimizer and base rate are used
     * @param warmupSteps the length of the warm-up, at least 1
     * @param startFactor the fraction of the base rate at step 0, in {@code [0, 1]}
     */
    public LinearWarmup(LRScheduler after, int warmupSteps, double startFactor) {
        super(after);
        this.after = after;
        this.warmupSteps = checkPositive("LinearWarmup: warmupSteps", warmupSteps);
        if (!(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearWarmup: startFactor must be in [0, 1], got " + startFactor);
        }
        this.startFactor = startFactor;
        start();
    }

    /**
     * A warm-up followed by the constant base rate.
     *
     * @param optimizer   the optimizer, whose current rate is the base rate
     * @param warmupSteps the length of the warm-up, at least 1
     * @param startFactor the fraction of the base rate at step 0, in {@code [0, 1]}
     */
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor) {
        this(new StepLR(optimizer, 1, 1.0), warmupSteps, startFactor);
    }

    /** {@inheritDoc} See the class comment for the formula. */
    @Override
    public double learningRateAt(int step) {
        checkStep(step);
        if (step < warmupSteps) {
            return baseLearningRate() * (startFactor + (1 - startFactor) * step / warmupSteps);
        }
        return after.learningRateAt(step - warmupSteps);
    }
}
