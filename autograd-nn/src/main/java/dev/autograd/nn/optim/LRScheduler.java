package dev.autograd.nn.optim;

import java.util.Objects;

/**
 * A learning-rate schedule bound to an optimizer: the rate is a closed-form function
 * {@link #learningRateAt(int)} of the number of {@link #step()} calls, and each step sets the optimizer's
 * rate. Works with any {@link Optimizer}. The base rate is the optimizer's rate when the schedule is
 * created; creating a schedule sets the optimizer to {@code learningRateAt(0)}.
 *
 * <pre>{@code
 * Optimizer opt = new SGD(model.parameters(), 0.1, 0.9);
 * LRScheduler schedule = new LinearWarmup(new CosineAnnealingLR(opt, 95, 0), 5, 0.1);
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     trainOneEpoch(model, opt);
 *     schedule.step();            // after the epoch's optimizer steps, as in PyTorch
 * }
 * }</pre>
 *
 * <p>Because the rate depends only on the step count, resuming is {@link #setStepCount(int)} with the saved
 * count.
 */
public abstract class LRScheduler {

    private final Optimizer optimizer;
    private final double baseLearningRate;
    private int stepCount;

    /**
     * Binds a schedule to {@code optimizer}, taking its current rate as the base rate. Subclasses call
     * {@link #start()} at the end of their constructor.
     *
     * @param optimizer the optimizer whose rate to set
     */
    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "LRScheduler: optimizer");
        this.baseLearningRate = optimizer.learningRate();
    }

    /**
     * For a schedule that wraps {@code inner}: the same optimizer and base rate.
     *
     * @param inner the schedule to take the optimizer and base rate from
     */
    protected LRScheduler(LRScheduler inner) {
        this.optimizer = inner.optimizer;
        this.baseLearningRate = inner.baseLearningRate;
    }

    /** Sets the optimizer's rate for the current step count; subclasses call it when constructed. */
    protected final void start() {
        optimizer.setLearningRate(learningRateAt(stepCount));
    }

    /**
     * The learning rate after {@code step} calls of {@link #step()}, in closed form.
     *
     * @param step the number of steps taken, at least 0
     * @return the rate
     */
    public abstract double learningRateAt(int step);

    /** Advances the schedule by one and sets the optimizer's rate to {@code learningRateAt(stepCount())}. */
    public final void step() {
        stepCount++;
        optimizer.setLearningRate(learningRateAt(stepCount));
    }

    /** @return the number of {@link #step()} calls so far */
    public final int stepCount() {
        return stepCount;
    }

    /**
     * Jumps to a step count (to resume training) and sets the optimizer's rate accordingly.
     *
     * @param stepCount the number of steps taken, at least 0
     */
    public final void setStepCount(int stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the step count must be >= 0, got " + stepCount);
        }
        this.stepCount = stepCount;
        optimizer.setLearningRate(learningRateAt(stepCount));
    }

    /** @return the rate the schedule last set, {@code learningRateAt(stepCount())} */
    public final double lastLearningRate() {
        return learningRateAt(stepCount);
    }

    /** @return the base rate: the optimizer's rate when the schedule was created */
    public final double baseLearningRate() {
        return baseLearningRate;
    }

    /** @return the optimizer this schedule drives */
    public final Optimizer optimizer() {
        return optimizer;
    }

    static int checkPositive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
        return value;
    }

    static void checkStep(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("learningRateAt: step must be >= 0, got " + step);
        }
    }
}
