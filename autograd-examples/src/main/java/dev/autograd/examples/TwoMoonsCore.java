package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.Locale;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a small multilayer perceptron to separate the two-moons data set, using nothing but the core
 * tensor operations: the model, the loss and the gradient-descent update are all written out by hand so
 * that every step of training is visible in about a page of code.
 *
 * <p>The network is {@code 2 -> 16 -> 16 -> 1} with {@code tanh} hidden layers. It is trained with a
 * hinge loss {@code mean(relu(1 - y * score))} plus a small L2 penalty on the weights, by full-batch
 * gradient descent. Run it with
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.TwoMoonsCore};
 * the program exits with status 1 if the final training accuracy is below 95%. {@link TwoMoons} is the
 * same task with autograd-nn's layers, optimizer and data loader.
 */
public final class TwoMoonsCore {

    private static final Logger LOG = LoggerFactory.getLogger(TwoMoonsCore.class);

    /** Standard deviation of the Gaussian noise added to every point of the data set. */
    public static final double NOISE = 0.1;

    /** Training accuracy below which {@link #main} reports failure with a non-zero exit status. */
    public static final double REQUIRED_ACCURACY = 0.95;

    /** Width of both hidden layers: small enough to train in seconds, wide enough to bend round the moons. */
    private static final int HIDDEN = 16;

    /** Weight of the L2 penalty; it keeps the weights small so the boundary stays smooth. */
    private static final double L2 = 1e-4;

    private TwoMoonsCore() {}

    /**
     * Settings of one training run.
     *
     * @param samples number of points in the data set (half on each moon), at least 2
     * @param steps number of full-batch gradient-descent steps, at least 1
     * @param learningRate step size of gradient descent, positive
     * @param seed seed of the {@link Random} that draws both the data and the initial weights
     */
    public record Config(int samples, int steps, double learningRate, long seed) {

        /** Checks the settings so that a bad value fails here, not as a puzzling shape error later. */
        public Config {
            if (samples < 2) {
                throw new IllegalArgumentException(
                        "TwoMoonsCore.Config: samples must be at least 2 (one per moon), got " + samples);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("TwoMoonsCore.Config: steps must be at least 1, got " + steps);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException(
                        "TwoMoonsCore.Config: learningRate must be positive and finite, got " + learningRate);
            }
        }

        /**
         * The settings {@link TwoMoonsCore#main} uses: they reach at least 95% training accuracy in a few
         * seconds.
         *
         * @return the default configuration
         */
        public static Config defaults() {
            return new Config(200, 300, 0.5, 42L);
        }
    }

    /**
     * Outcome of a training run.
     *
     * @param accuracy fraction of training points classified correctly by the final model, in [0, 1]
     * @param initialLoss loss of the freshly initialised model, to show that training made progress
     * @param finalLoss loss of the final model (hinge loss plus L2 penalty)
     * @param steps number of gradient-descent steps taken
     */
    public record Result(double accuracy, double initialLoss, double finalLoss, int steps) {}

    /**
     * A labelled data set.
     *
     * @param points the points, shape {@code [n, 2]}
     * @param labels the labels, shape {@code [n, 1]}: {@code +1} for the upper moon, {@code -1} for the
     *     lower one
     */
    public record Dataset(Tensor points, Tensor labels) {}

    /**
     * Generates the two-moons data set: the first half of the points lie on the upper moon
     * {@code (cos t, sin t)}, the rest on the lower moon {@code (1 - cos t, 0.5 - sin t)}, with {@code t}
     * uniform in {@code [0, pi]} and Gaussian noise of standard deviation {@link #NOISE} added to each
     * coordinate. The same seed always gives the same data set.
     *
     * @param samples number of points, at least 2
     * @param seed seed of the random generator
     * @return the points and their {@code +1}/{@code -1} labels
     */
    public static Dataset moons(int samples, long seed) {
        return moons(samples, new Random(seed));
    }

    /**
     * Draws the data set from a caller's generator, so that {@link #train} can draw data and weights from
     * one seeded stream.
     */
    private static Dataset moons(int samples, Random random) {
        if (samples < 2) {
            throw new IllegalArgumentException("samples must be at least 2 (one per moon), got " + samples);
        }
        int upper = samples / 2;
        double[] points = new double[samples * 2];
        double[] labels = new double[samples];
        for (int i = 0; i < samples; i++) {
            double t = Math.PI * random.nextDouble();
            boolean onUpper = i < upper;
            double x = onUpper ? Math.cos(t) : 1 - Math.cos(t);
            double y = onUpper ? Math.sin(t) : 0.5 - Math.sin(t);
            points[2 * i] = x + NOISE * random.nextGaussian();
            points[2 * i + 1] = y + NOISE * random.nextGaussian();
            labels[i] = onUpper ? 1 : -1;
        }
        return new Dataset(Tensor.of(points, samples, 2), Tensor.of(labels, samples, 1));
    }

    /**
     * Trains the network on a freshly generated data set and measures its training accuracy.
     *
     * @param config the data set size, number of steps, learning rate and seed
     * @return accuracy and losses of the run
     */
    @SuppressWarnings("try") // the no-grad scopes act by being open; their variables are never read
    public static Result train(Config config) {
        Random random = new Random(config.seed());
        Dataset data = moons(config.samples(), random);
        Tensor x = data.points();
        Tensor y = data.labels();

        // Weights and biases in one array; updates change them in place, so these objects are the model.
        Tensor[] params = {
            init(random, 2, HIDDEN), Tensor.zeros(HIDDEN).requiresGrad(true),
            init(random, HIDDEN, HIDDEN), Tensor.zeros(HIDDEN).requiresGrad(true),
            init(random, HIDDEN, 1), Tensor.zeros(1).requiresGrad(true),
        };

        int logEvery = Math.max(1, config.steps() / 10);
        double initialLoss = Double.NaN;
        double loss = Double.NaN;
        double accuracy = Double.NaN;
        for (int step = 1; step <= config.steps(); step++) {
            Tensor score = forward(params, x);
            Tensor lossTensor = loss(params, score, y);
            lossTensor.backward();
            loss = lossTensor.item();
            accuracy = accuracy(score, y);
            if (step == 1) {
                initialLoss = loss;
            }
            if (step == 1 || step % logEvery == 0 || step == config.steps()) {
                LOG.info("step {}/{}: loss {}, accuracy {}", step, config.steps(),
                        format(loss), percent(accuracy));
            }
            // The update itself must not be recorded: it is not part of the model, and recording it would
            // chain every step's graph to the previous one.
            try (var scope = Autograd.noGrad()) {
                for (Tensor p : params) {
                    p.subInPlace(p.grad().mul(config.learningRate()));
                    // Gradients accumulate across backward calls; clear them for the next step.
                    p.zeroGrad();
                }
            }
        }

        // Measure the model after its last update, not the one the last loss was computed with.
        try (var scope = Autograd.noGrad()) {
            Tensor score = forward(params, x);
            loss = loss(params, score, y).item();
            accuracy = accuracy(score, y);
        }
        return new Result(accuracy, initialLoss, loss, config.steps());
    }

    /**
     * A weight matrix drawn from a standard normal and scaled by {@code 1/sqrt(fanIn)}, so that each unit's
     * pre-activation has variance about 1 and {@code tanh} starts out neither saturated nor linear.
     */
    private static Tensor init(Random random, int fanIn, int fanOut) {
        return Tensor.randn(random, fanIn, fanOut).mul(1 / Math.sqrt(fanIn)).requiresGrad(true);
    }

    /** The network's raw scores, shape {@code [n, 1]}: positive means upper moon. */
    private static Tensor forward(Tensor[] p, Tensor x) {
        // Each bias of shape [k] broadcasts over the n rows of the [n, k] product.
        Tensor h1 = x.matmul(p[0]).add(p[1]).tanh();
        Tensor h2 = h1.matmul(p[2]).add(p[3]).tanh();
        return h2.matmul(p[4]).add(p[5]);
    }

    /**
     * Hinge loss plus L2 penalty. The hinge only pushes points that are misclassified or within the margin
     * ({@code y * score < 1}), which is all a classifier needs; the penalty covers the weights only,
     * because shrinking biases would just shift the boundary.
     */
    private static Tensor loss(Tensor[] p, Tensor score, Tensor y) {
        Tensor hinge = y.mul(score).neg().add(1).relu().mean();
        Tensor penalty = p[0].pow(2).sum().add(p[2].pow(2).sum()).add(p[4].pow(2).sum());
        return hinge.add(penalty.mul(L2));
    }

    /** Fraction of points whose score has the sign of their label. */
    private static double accuracy(Tensor score, Tensor y) {
        // gt gives a 0/1 mask that carries no gradient, so this never touches the graph.
        return y.mul(score).gt(0).mean().item();
    }

    // Locale.ROOT: the log and the final line read the same ("99.5%") on every machine.
    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String format(double loss) {
        return String.format(Locale.ROOT, "%.4f", loss);
    }

    /**
     * Trains with {@link Config#defaults()}, prints the final training accuracy and exits with status 1 if
     * it is below {@link #REQUIRED_ACCURACY}, so that a script can tell a broken engine from a working one.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Config config = Config.defaults();
        LOG.info("training a 2-{}-{}-1 tanh MLP on {} two-moons points, {} steps, learning rate {}, seed {}",
                HIDDEN, HIDDEN, config.samples(), config.steps(), config.learningRate(), config.seed());
        long start = System.nanoTime();
        Result result = train(config);
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.info("loss {} -> {} in {} ms", format(result.initialLoss()), format(result.finalLoss()), millis);
        System.out.println("final training accuracy: " + percent(result.accuracy()));
        if (result.accuracy() < REQUIRED_ACCURACY) {
            System.err.println("training accuracy is below the required " + percent(REQUIRED_ACCURACY));
            System.exit(1);
        }
    }
}
