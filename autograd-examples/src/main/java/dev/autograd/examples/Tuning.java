package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.Sample;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.tune.EarlyStopping;
import dev.autograd.nn.tune.EpochRecord;
import dev.autograd.nn.tune.LrRangeTest;
import dev.autograd.nn.tune.Mode;
import dev.autograd.nn.tune.SearchResult;
import dev.autograd.nn.tune.SearchSpace;
import dev.autograd.nn.tune.Trial;
import dev.autograd.nn.tune.TrialResult;
import dev.autograd.nn.tune.Tuner;
import dev.autograd.nn.tune.ValidationSplit;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Tunes the learning rate and batch size of the two-moons MLP ({@link TwoMoons}: 2-16-16-1, tanh, Adam, binary
 * cross-entropy) with {@code dev.autograd.nn.tune}, then runs a learning-rate range test.
 *
 * <ol>
 *   <li>Data: a tuning set of two-moons points, split 75/25 into training and validation with
 *       {@link ValidationSplit}, and a separate test set (another seed) that the search never sees.</li>
 *   <li>A grid search over 5 log-spaced learning rates x 3 batch sizes, every trial training from its own seed
 *       with early stopping on the validation loss, trials in parallel on the machine's cores. It prints the
 *       ranked table and writes {@code results.csv}, {@code history.csv}, {@code grid.png} (best validation loss
 *       against the learning rate, one line per batch size) and {@code curves.png} (every trial's validation
 *       loss per epoch).</li>
 *   <li>The chosen setting: the best trial's model is rebuilt from its seed and trained for its best epoch
 *       count (it reproduces the trial's validation loss bit for bit), then measured on the test set.</li>
 *   <li>A learning-rate range test with the chosen batch size, from 1e-5 to 10: it prints the suggested rate and
 *       draws {@code lr-range-test.png} (loss against the learning rate, the suggestion marked).</li>
 * </ol>
 *
 * <p>Files go to {@code out/tuning/}. Run:
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.Tuning}
 */
public final class Tuning {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "tuning");

    /** The range test's smoothing factor. */
    static final double RANGE_SMOOTHING = 0.9;

    private Tuning() {
    }

    /**
     * What to tune.
     *
     * @param samples       points in the tuning set (training + validation)
     * @param noise         the standard deviation of Gaussian noise added to every coordinate, on top of the
     *                      data set's own 0.1, so that the moons overlap and a model can overfit
     * @param testSamples   points in the held-out test set
     * @param validation    the fraction of the tuning set used for validation
     * @param minLr         the smallest learning rate of the grid
     * @param maxLr         the largest learning rate of the grid
     * @param lrPoints      the number of log-spaced learning rates
     * @param batchSizes    the batch sizes of the grid
     * @param maxEpochs     the most epochs a trial trains
     * @param patience      early stopping's patience, in epochs
     * @param parallelism   trials at a time
     * @param rangeTestSteps steps of the learning-rate range test
     * @param seed          seeds the data and the search
     */
    public record Config(int samples, double noise, int testSamples, double validation, double minLr, double maxLr, int lrPoints,
                         int[] batchSizes, int maxEpochs, int patience, int parallelism, int rangeTestSteps, long seed) {

        /** Copies the batch sizes. */
        public Config {
            batchSizes = batchSizes.clone();
        }

        /** @return a copy of the batch sizes */
        @Override
        public int[] batchSizes() {
            return batchSizes.clone();
        }

        /**
         * The README's run: 600 tuning points (450 train, 150 validation) with noise 0.2, 1000 test points, lr 1e-4 .. 1 (5
         * values) x batch size 8, 32, 128, at most 100 epochs with patience 10, all cores, a 300-step range test.
         *
         * @return the defaults
         */
        public static Config defaults() {
            return new Config(600, 0.2, 1000, 0.25, 1e-4, 1, 5, new int[] {8, 32, 128}, 100, 10,
                    Runtime.getRuntime().availableProcessors(), 300, 42);
        }
    }

    /**
     * What the run found.
     *
     * @param search       the search's results
     * @param best         the best trial
     * @param reproduced   the validation loss of the rebuilt best model (equal to the trial's best)
     * @param testAccuracy the rebuilt model's accuracy on the test set
     * @param rangeTest    the range test's points and suggestion
     * @param files        the files written
     */
    public record Result(SearchResult search, TrialResult best, double reproduced, double testAccuracy,
                         LrRangeTest.Result rangeTest, List<Path> files) {
    }

    /**
     * Runs the defaults, writing to {@link #DEFAULT_OUTPUT}; {@code -Dtuning.parallelism=N} sets the number of
     * trials at a time (1 to time a sequential run: the results are identical).
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Config d = Config.defaults();
        int parallelism = Integer.getInteger("tuning.parallelism", d.parallelism());
        run(DEFAULT_OUTPUT, new Config(d.samples(), d.noise(), d.testSamples(), d.validation(), d.minLr(), d.maxLr(),
                d.lrPoints(), d.batchSizes(), d.maxEpochs(), d.patience(), parallelism, d.rangeTestSteps(), d.seed()),
                System.out);
    }

    /** The data every trial reads (never writes): shared by the trials' threads. */
    record Data(TensorDataset train, TensorDataset validation, TensorDataset test) {
    }

    /**
     * Tunes, reports and draws.
     *
     * @param outputDir where to write the files; created if needed
     * @param config    what to tune
     * @param out       where to print
     * @return the results and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        List<Path> files = new ArrayList<>();
        Data data = data(config);
        out.printf(Locale.ROOT, "== Tuning the two-moons MLP 2-16-16-1 (tanh, Adam, binary cross-entropy)%n");
        out.printf(Locale.ROOT, "data: two moons with noise %.2f; %d tuning points split into %d training and %d validation (seed %d); %d test"
                + " points held out%n", Math.hypot(TwoMoonsCore.NOISE, config.noise()), config.samples(), data.train().size(), data.validation().size(), config.seed(),
                data.test().size());

        SearchSpace space = SearchSpace.create()
                .logUniform("lr", config.minLr(), config.maxLr(), config.lrPoints())
                .intChoice("batchSize", config.batchSizes());
        Tuner tuner = Tuner.grid(space).seed(config.seed()).parallelism(config.parallelism())
                .objectiveName("valLoss")
                .earlyStopping(new EarlyStopping("valLoss", Mode.MIN, config.patience(), 1e-4));
        out.printf(Locale.ROOT, "grid: %d learning rates %s x batch sizes %s = %d trials, at most %d epochs each,"
                + " early stopping on valLoss (patience %d, minDelta 1e-4), %d at a time on %d cores%n%n",
                config.lrPoints(), tuner.settings().stream().map(s -> s.get("lr")).distinct()
                        .map(v -> String.format(Locale.ROOT, "%.0e", (Double) v)).toList(),
                Arrays.toString(config.batchSizes()), tuner.settings().size(), config.maxEpochs(), config.patience(),
                config.parallelism(), Runtime.getRuntime().availableProcessors());
        long start = System.nanoTime();
        SearchResult search = tuner.run(trial -> objective(trial, data, config.maxEpochs()));
        double seconds = (System.nanoTime() - start) / 1e9;
        out.print(search.table());
        double trialSeconds = search.trials().stream().mapToDouble(TrialResult::seconds).sum();
        out.printf(Locale.ROOT, "%nsearch: %.1f s wall clock, %d trial(s) at a time; the trials' own times add up to"
                + " %.1f s%n", seconds, config.parallelism(), trialSeconds);

        TrialResult best = search.best();
        EpochRecord bestEpoch = best.best("valLoss", Mode.MIN);
        double lr = (Double) best.params().get("lr");
        int batchSize = (Integer) best.params().get("batchSize");
        out.printf(Locale.ROOT, "%nchosen: lr %s, batch size %d (trial %d): validation loss %.4f, accuracy %.1f%% at"
                + " epoch %d of %d%n", lr, batchSize, best.index(), bestEpoch.get("valLoss"),
                100 * bestEpoch.get("valAcc"), bestEpoch.epoch() + 1, best.history().size());

        // The best model, rebuilt from the trial's seed and trained for its best number of epochs: the same
        // arithmetic as in the trial, so the same weights.
        Model model = new Model(best.seed(), lr, batchSize, data.train());
        for (int epoch = 0; epoch <= bestEpoch.epoch(); epoch++) {
            model.trainEpoch();
        }
        double reproduced = model.loss(data.validation());
        double testAccuracy = model.accuracy(data.test());
        out.printf(Locale.ROOT, "rebuilt from its seed: validation loss %.4f (%s the trial's); test accuracy %.1f%% on"
                + " %d held-out points%n", reproduced, reproduced == bestEpoch.get("valLoss") ? "bit-identical to"
                : "differs from", 100 * testAccuracy, data.test().size());

        Path csv = search.writeCsv(dir.resolve("results.csv"));
        Path history = search.writeHistoryCsv(dir.resolve("history.csv"));
        files.add(csv);
        files.add(history);
        files.add(TuningCharts.grid(search, dir.resolve("grid.png")));
        files.add(TuningCharts.curves(search, dir.resolve("curves.png")));

        out.printf(Locale.ROOT, "%n== Learning-rate range test (Smith 2015): batch size %d, lr 1e-5 -> 10 over %d"
                + " steps, Adam, a fresh model, loss smoothed with beta %s%n", batchSize, config.rangeTestSteps(),
                RANGE_SMOOTHING);
        Model fresh = new Model(config.seed(), 1e-3, batchSize, data.train());
        // Smoothing 0.9 (fastai: 0.98): the moving average lags the raw loss by about 1 / (1 - beta) steps, which
        // should be a small part of the run; with 0.98 over a few hundred steps its minimum lands a decade late.
        LrRangeTest.Result range = new LrRangeTest(1e-5, 10, config.rangeTestSteps()).withSmoothing(RANGE_SMOOTHING)
                .run(fresh.net, fresh.optimizer, fresh.loader, fresh::batchLoss);
        LrRangeTest.Point last = range.points().get(range.points().size() - 1);
        out.printf(Locale.ROOT, "%d steps%s; smoothed loss lowest at lr %.2g; steepest descent of the smoothed loss"
                + " at lr %.2g%n", range.points().size(), range.diverged() ? String.format(Locale.ROOT, " (stopped at lr"
                + " %.2g: the loss diverged)", last.lr()) : "", range.minimumLr(), range.steepestLr());
        out.printf(Locale.ROOT, "suggested learning rate: %.2g (the minimum / 10); the grid chose %s%n",
                range.suggestedLr(), lr);
        files.add(TuningCharts.rangeTest(range, dir.resolve("lr-range-test.png")));
        out.println();
        for (Path f : files) {
            out.println("wrote " + f);
        }
        return new Result(search, best, reproduced, testAccuracy, range, List.copyOf(files));
    }

    /** One trial: train from the trial's seed, report validation loss and accuracy each epoch, stop early. */
    static double objective(Trial trial, Data data, int maxEpochs) {
        Model model = new Model(trial.seed(), trial.getDouble("lr"), trial.getInt("batchSize"), data.train());
        for (int epoch = 0; epoch < maxEpochs; epoch++) {
            double trainLoss = model.trainEpoch();
            Map<String, Double> metrics = Map.of("trainLoss", trainLoss, "valLoss", model.loss(data.validation()),
                    "valAcc", model.accuracy(data.validation()));
            if (trial.report(epoch, metrics)) {
                break;
            }
        }
        return trial.best("valLoss", Mode.MIN).get("valLoss");
    }

    private static Data data(Config config) {
        TwoMoonsCore.Dataset tuning = TwoMoonsCore.moons(config.samples(), config.seed());
        TwoMoonsCore.Dataset test = TwoMoonsCore.moons(config.testSamples(), config.seed() + 1);
        Random noise = new Random(config.seed() + 2);
        // Binary cross-entropy wants targets in {0, 1}; the data set labels the moons +1 and -1.
        TensorDataset all = new TensorDataset(noisy(tuning.points(), config.noise(), noise), tuning.labels().add(1).div(2));
        ValidationSplit<Sample> split = ValidationSplit.of(all, config.validation(), config.seed());
        return new Data((TensorDataset) split.train(), (TensorDataset) split.validation(),
                new TensorDataset(noisy(test.points(), config.noise(), noise), test.labels().add(1).div(2)));
    }

    private static Tensor noisy(Tensor points, double std, Random random) {
        return points.add(Tensor.randn(random, points.shape()).mul(std));
    }

    /** The two-moons MLP with its optimizer and loader: everything one trial owns. */
    static final class Model {
        final MLP net;
        final Adam optimizer;
        final DataLoader loader;

        Model(long seed, double lr, int batchSize, TensorDataset train) {
            net = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(new Random(seed));
            optimizer = new Adam(net.parameters(), lr);
            loader = DataLoader.builder(train).batchSize(batchSize).shuffle(seed).build();
        }

        Tensor batchLoss(Batch b) {
            return Losses.binaryCrossEntropyWithLogits(net.forward(b.features()), b.targets());
        }

        /** One epoch of mini-batch Adam; returns the mean batch loss. */
        double trainEpoch() {
            double total = 0;
            for (Batch b : loader) {
                optimizer.zeroGrad();
                Tensor loss = batchLoss(b);
                loss.backward();
                optimizer.step();
                total += loss.item();
            }
            return total / loader.batchCount();
        }

        double loss(TensorDataset d) {
            try (var scope = Autograd.noGrad()) {
                return Losses.binaryCrossEntropyWithLogits(net.forward(d.features()), d.targets()).item();
            }
        }

        double accuracy(TensorDataset d) {
            try (var scope = Autograd.noGrad()) {
                return net.forward(d.features()).gt(0).eq(d.targets()).mean().item();
            }
        }
    }
}
