package dev.autograd.nn.tune;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Module;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.optim.Optimizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The learning-rate range test (Leslie N. Smith, "Cyclical Learning Rates for Training Neural Networks",
 * 2015/2017; fastai's {@code lr_find}): train for {@code steps} mini-batches while the learning rate grows
 * geometrically from {@code minLr} to {@code maxLr}, record the loss at each step, and read off a good rate
 * from the curve. The model and optimizer are put back as they were afterwards.
 *
 * <pre>{@code
 * LrRangeTest.Result r = new LrRangeTest(1e-5, 1, 100)
 *         .run(model, optimizer, loader, b -> Losses.crossEntropy(model.forward(b.features()), b.targetsAsInts()));
 * double lr = r.suggestedLr();          // the smoothed loss's minimum / 10
 * }</pre>
 *
 * <p><b>Procedure.</b> Step {@code i} (from 0) sets the rate {@code minLr * (maxLr/minLr)^(i/(steps-1))},
 * computes the loss of the next batch (the data are cycled, epoch after epoch, if they run out), backpropagates
 * and steps the optimizer. The recorded loss is smoothed as fastai does, an exponential moving average with
 * bias correction: {@code avg = beta * avg + (1 - beta) * loss}, {@code smoothed = avg / (1 - beta^(i+1))}.
 * The test stops early, after recording the step, when the loss is not finite or the smoothed loss exceeds
 * {@code divergence} times the lowest smoothed loss so far (fastai: 4): beyond that the rates only diverge.
 * That ratio assumes a loss that is positive, as training losses are; while the lowest smoothed loss is 0 or
 * below, only a loss that is not finite stops the test.
 *
 * <p><b>The suggestion.</b> {@link Result#suggestedLr()} is the rate at the minimum of the smoothed loss divided
 * by 10 (fastai's {@code lr_min / 10}). A minimum is a level of the curve, read from many points at once; one
 * decade below it the loss still falls, well away from the divergent region. The rate of steepest descent
 * ({@link Result#steepestLr()}: where the smoothed loss falls fastest against {@code log(lr)}, by central
 * differences as {@code numpy.gradient}, up to the minimum) is reported too but not chosen: it is a derivative
 * of a noisy curve, and where the loss keeps falling faster until it diverges it lands on the minimum itself.
 * On the {@code Tuning} example's two-moons MLP (batches of 128, 300 steps, beta 0.9) the two give 0.0064
 * and 0.052 and bracket the grid search's best rate, 0.01. Both are hints, to be checked by a short run.
 *
 * <p><b>Smoothing.</b> The moving average is causal: it lags the raw loss by about {@code 1 / (1 - beta)}
 * steps, which moves its minimum (and steepest point) to higher rates. Choose {@code beta} so that this is a
 * small part of the run: fastai's 0.98 lags 50 steps, a whole decade of rates in a 300-step test over 6
 * decades, and suits tests of a thousand steps or more; 0.9 (10 steps) suits 100 to 300.
 *
 * <p><b>Restoring.</b> The model's parameters and buffers ({@link Module#stateDict()}) and the optimizer's
 * state ({@link Optimizer#state()}: learning rate, step counts, moments) are copied before the test and loaded
 * back after it, bit for bit, even when the loss function throws; the gradients are cleared; a
 * {@link DataLoader}'s epoch counter is put back, so that the training that follows sees the same shuffles as
 * without the test.
 */
public final class LrRangeTest {

    private final double minLr;
    private final double maxLr;
    private final int steps;
    private final double smoothing;
    private final double divergence;

    /**
     * A test from {@code minLr} to {@code maxLr} over {@code steps} steps, smoothing 0.98, divergence factor 4
     * (fastai's defaults).
     *
     * @param minLr the first rate, finite and {@code > 0}
     * @param maxLr the last rate, finite and {@code > minLr}
     * @param steps the number of steps, at least 2
     * @throws IllegalArgumentException when a value is out of range
     */
    public LrRangeTest(double minLr, double maxLr, int steps) {
        this(minLr, maxLr, steps, 0.98, 4);
    }

    private LrRangeTest(double minLr, double maxLr, int steps, double smoothing, double divergence) {
        if (!(minLr > 0) || !Double.isFinite(maxLr) || !(maxLr > minLr)) {
            throw new IllegalArgumentException("LrRangeTest: need 0 < minLr < maxLr, both finite, got minLr " + minLr
                    + " and maxLr " + maxLr);
        }
        if (steps < 2) {
            throw new IllegalArgumentException("LrRangeTest: need at least 2 steps, got " + steps);
        }
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("LrRangeTest.withSmoothing: beta must be in [0, 1), got " + smoothing);
        }
        if (!(divergence > 1) || Double.isInfinite(divergence)) {
            throw new IllegalArgumentException("LrRangeTest.withDivergence: the factor must be finite and > 1, got "
                    + divergence);
        }
        this.minLr = minLr;
        this.maxLr = maxLr;
        this.steps = steps;
        this.smoothing = smoothing;
        this.divergence = divergence;
    }

    /**
     * The same test with another smoothing factor.
     *
     * @param beta the weight of the past in the moving average, in {@code [0, 1)}; 0 = no smoothing
     * @return a new test
     * @throws IllegalArgumentException when out of range
     */
    public LrRangeTest withSmoothing(double beta) {
        return new LrRangeTest(minLr, maxLr, steps, beta, divergence);
    }

    /**
     * The same test with another divergence factor.
     *
     * @param factor stop when the smoothed loss exceeds this times its minimum; finite and {@code > 1}
     * @return a new test
     * @throws IllegalArgumentException when out of range
     */
    public LrRangeTest withDivergence(double factor) {
        return new LrRangeTest(minLr, maxLr, steps, smoothing, factor);
    }

    /**
     * The rate of step {@code i}: {@code minLr * (maxLr/minLr)^(i/(steps-1))}, exactly {@code maxLr} at the
     * last step.
     *
     * @param i the step, in {@code [0, steps)}
     * @return the learning rate
     */
    public double learningRate(int i) {
        if (i < 0 || i >= steps) {
            throw new IllegalArgumentException("LrRangeTest.learningRate: step " + i + " is outside [0, " + steps + ")");
        }
        return i == steps - 1 ? maxLr : minLr * Math.pow(maxLr / minLr, (double) i / (steps - 1));
    }

    /**
     * Runs the test on the real training step.
     *
     * @param model     the model, whose state is restored afterwards
     * @param optimizer the optimizer over (some of) its parameters, whose state is restored afterwards
     * @param batches   the training data, e.g. a {@link DataLoader}; cycled when shorter than the test
     * @param loss      the training loss of one batch, a scalar recorded on the graph
     * @param <B>       the batch type
     * @return the recorded points and the suggestion
     * @throws IllegalArgumentException when the data hold no batch or a loss is not a scalar
     */
    public <B> Result run(Module model, Optimizer optimizer, Iterable<B> batches, Function<B, Tensor> loss) {
        Objects.requireNonNull(model, "LrRangeTest.run: model is null");
        Objects.requireNonNull(optimizer, "LrRangeTest.run: optimizer is null");
        Objects.requireNonNull(batches, "LrRangeTest.run: batches is null");
        Objects.requireNonNull(loss, "LrRangeTest.run: loss is null");
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        try (var scope = Autograd.noGrad()) {
            model.stateDict().forEach((name, t) -> modelState.put(name, t.detach().clone()));
        }
        Map<String, Tensor> optimizerState = optimizer.state();
        int loaderEpoch = batches instanceof DataLoader d ? d.epoch() : -1;
        List<Point> points = new ArrayList<>();
        boolean diverged = false;
        try {
            Iterator<B> it = batches.iterator();
            double average = 0;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < steps; i++) {
                if (!it.hasNext()) {
                    it = batches.iterator();
                    if (!it.hasNext()) {
                        throw new IllegalArgumentException("LrRangeTest.run: the data hold no batch");
                    }
                }
                double lr = learningRate(i);
                optimizer.setLearningRate(lr);
                optimizer.zeroGrad();
                Tensor l = loss.apply(it.next());
                if (l.numel() != 1) {
                    throw new IllegalArgumentException("LrRangeTest.run: the loss must be a scalar, got shape "
                            + java.util.Arrays.toString(l.shape()));
                }
                double value = l.item();
                average = smoothing * average + (1 - smoothing) * value;
                double smoothed = average / (1 - Math.pow(smoothing, i + 1));
                points.add(new Point(i, lr, value, smoothed));
                if (!Double.isFinite(smoothed) || (best > 0 && smoothed > divergence * best)) {
                    diverged = true;
                    break;
                }
                best = Math.min(best, smoothed);
                l.backward();
                optimizer.step();
            }
        } finally {
            optimizer.zeroGrad();
            model.loadStateDict(modelState);
            optimizer.loadState(optimizerState);
            if (batches instanceof DataLoader d) {
                d.setEpoch(loaderEpoch);
            }
        }
        return Result.of(points, diverged);
    }

    /**
     * One step of the test.
     *
     * @param step         the step, from 0
     * @param lr           the learning rate used for the update after this loss
     * @param loss         the batch's loss
     * @param smoothedLoss the bias-corrected exponential moving average of the losses so far
     */
    public record Point(int step, double lr, double loss, double smoothedLoss) {
    }

    /**
     * What the test recorded.
     *
     * @param points      every step taken, in order
     * @param diverged    whether it stopped early because the loss diverged
     * @param steepestLr  the rate where the smoothed loss falls fastest against {@code log(lr)}, up to its
     *                    minimum; NaN when fewer than 3 points precede the minimum
     * @param minimumLr   the rate at the minimum of the smoothed loss
     */
    public record Result(List<Point> points, boolean diverged, double steepestLr, double minimumLr) {

        /**
         * Copies the points.
         *
         * @param points     the steps
         * @param diverged   whether it stopped on divergence
         * @param steepestLr the steepest-descent rate or NaN
         * @param minimumLr  the minimum's rate
         */
        public Result {
            points = Collections.unmodifiableList(new ArrayList<>(points));
        }

        static Result of(List<Point> points, boolean diverged) {
            int n = points.size();
            int minimum = 0;
            for (int i = 1; i < n; i++) {
                if (points.get(i).smoothedLoss() < points.get(minimum).smoothedLoss()) {
                    minimum = i;
                }
            }
            // d(smoothed)/d(log lr) by central differences (one-sided at the ends), as numpy.gradient; only up to
            // the minimum, where the curve is still descending.
            int end = minimum + 1;
            double steepest = Double.NaN;
            if (end >= 3) {
                double bestSlope = Double.POSITIVE_INFINITY;
                for (int i = 0; i < end; i++) {
                    int lo = Math.max(0, i - 1);
                    int hi = Math.min(end - 1, i + 1);
                    double slope = (points.get(hi).smoothedLoss() - points.get(lo).smoothedLoss())
                            / (Math.log(points.get(hi).lr()) - Math.log(points.get(lo).lr()));
                    if (slope < bestSlope) {
                        bestSlope = slope;
                        steepest = points.get(i).lr();
                    }
                }
            }
            return new Result(points, diverged, steepest, n == 0 ? Double.NaN : points.get(minimum).lr());
        }

        /**
         * The suggested learning rate: {@link #minimumLr()} / 10 (see the class comment for why not
         * {@link #steepestLr()}).
         *
         * @return the suggestion
         */
        public double suggestedLr() {
            return minimumLr / 10;
        }

        /** @return the learning rates of the steps, in order */
        public double[] lrs() {
            return points.stream().mapToDouble(Point::lr).toArray();
        }

        /** @return the raw losses of the steps, in order */
        public double[] losses() {
            return points.stream().mapToDouble(Point::loss).toArray();
        }

        /** @return the smoothed losses of the steps, in order */
        public double[] smoothedLosses() {
            return points.stream().mapToDouble(Point::smoothedLoss).toArray();
        }
    }
}
