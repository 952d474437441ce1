package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Module;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.FashionMnist;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.GradScaler;
import dev.autograd.nn.optim.Optimizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Why mixed-precision training needs loss scaling, measured: the Fashion-MNIST MLP ({@link FashionMnistMlp}:
 * {@code 784 -> 256 -> 128 -> 10}, ReLU, Adam 1e-3, batches of 128) trained four times from the same initial
 * weights in the same batch order:
 * <ol>
 *   <li>{@code float32}: the reference;</li>
 *   <li>{@code float16}: forward under {@code Autograd.autocast(DType.FLOAT16)}, no loss scaling;</li>
 *   <li>{@code float16 + GradScaler}: the same with {@link GradScaler} (PyTorch's defaults: initial scale
 *       65536, growth 2 every 2000 finite steps, backoff 0.5);</li>
 *   <li>{@code bfloat16}: autocast to BFLOAT16 without scaling (float32's exponent range: nothing to lift).</li>
 * </ol>
 *
 * <p><b>Gradient underflow</b> of a layer at a step: every {@code k} steps ({@code -Dmixed.every=k}, 10 by
 * default) the example first computes the float32 gradient of the loss on the step's batch at the step's weights
 * (a separate forward and backward without autocast), then the run's own gradient on the same batch (for the
 * scaled run: after {@link GradScaler#unscale}); the underflow fraction of a {@code Linear} layer is
 * <pre>
 *   #{ elements e of the layer's weight and bias gradients : run's g[e] == 0 and float32 g[e] != 0 }
 *   ---------------------------------------------------------------------------------------------
 *   #{ elements e of the layer's weight and bias gradients : float32 g[e] != 0 }
 * </pre>
 * the share of the gradient that half precision turned into exact zeros (elements that are zero in float32
 * too, e.g. weights of pixels that are black in the whole batch, are not counted). Under autocast a linear
 * layer's backward rounds its incoming gradient, and the gradients of its half inputs (weight, bias), to
 * float16, whose smallest positive value is 2<sup>-24</sup> (about 6e-8): smaller values become zero. The
 * table gives the fraction pooled over all samples and over the last epoch's samples; {@code underflow.png}
 * draws it over training. A step the scaler skipped (an inf/NaN gradient) is not sampled.
 *
 * <p>Output ({@code out/mixed-precision/}): the table (test accuracy, per-layer underflow, skipped steps and
 * final scale of the scaled run), {@code loss.png} (the four loss curves), {@code underflow.png} and
 * {@code mixed-precision.csv} (one row per run and step: loss, scale, whether the step ran, underflow where
 * sampled). Properties as for the Fashion-MNIST examples: {@code -Dfashion.epochs=N} (default 5),
 * {@code -Dfashion.limit=N} (first N training samples), {@code -Dfashion.seed=N} (42). Without the data set it
 * says so and runs the same comparison on the two-moons MLP ({@code 2 -> 16 -> 16 -> 1}, tanh).
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.MixedPrecision}
 */
public final class MixedPrecision {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "mixed-precision");

    /** The loss curves of all runs. */
    public static final String LOSS_FILE = "loss.png";

    /** The underflow fraction per layer over training. */
    public static final String UNDERFLOW_FILE = "underflow.png";

    /** One row per run and step. */
    public static final String CSV_FILE = "mixed-precision.csv";

    /** The system property that sets how often (every k steps) underflow is measured. */
    public static final String EVERY_PROPERTY = "mixed.every";

    /** The four ways of training, in the order they run and print. */
    public enum Mode {
        /** Plain float32. */
        FLOAT32("float32", null, false),
        /** Autocast to float16, no loss scaling. */
        FLOAT16("float16", DType.FLOAT16, false),
        /** Autocast to float16 with a {@link GradScaler}. */
        FLOAT16_SCALED("float16 + GradScaler", DType.FLOAT16, true),
        /** Autocast to bfloat16, no loss scaling. */
        BFLOAT16("bfloat16", DType.BFLOAT16, false);

        private final String label;
        private final DType autocast;
        private final boolean scaled;

        Mode(String label, DType autocast, boolean scaled) {
            this.label = label;
            this.autocast = autocast;
            this.scaled = scaled;
        }

        /** @return the name in the table, charts and CSV */
        public String label() {
            return label;
        }

        /** @return the autocast dtype, or null for plain float32 */
        public DType autocast() {
            return autocast;
        }

        /** @return whether the run scales its loss */
        public boolean scaled() {
            return scaled;
        }
    }

    /**
     * What to run.
     *
     * @param epochs      passes over the training data, at least 1
     * @param limit       train on the first {@code limit} samples (at least 1; {@code Integer.MAX_VALUE} for all)
     * @param sampleEvery measure underflow every this many steps, at least 1
     * @param seed        seeds the initial weights and the shuffling
     * @param dataDir     the Fashion-MNIST folder (the two-moons MLP runs when the data is not there)
     * @param outputDir   where the files go
     */
    public record Config(int epochs, int limit, int sampleEvery, long seed, Path dataDir, Path outputDir) {

        /** Checks the values. */
        public Config {
            if (epochs < 1 || limit < 1 || sampleEvery < 1) {
                throw new IllegalArgumentException("MixedPrecision: need epochs, limit and sampleEvery >= 1, got " + epochs
                        + ", " + limit + ", " + sampleEvery);
            }
        }

        /**
         * The defaults (5 epochs, all samples, underflow every 10 steps, seed 42, the installed data) with
         * {@code -Dfashion.epochs}, {@code -Dfashion.limit}, {@code -Dfashion.seed} and {@code -Dmixed.every}
         * applied.
         *
         * @return the configuration
         */
        public static Config fromSystemProperties() {
            FashionMnistTraining.Config f = FashionMnistTraining.Config.fromSystemProperties("MLP", 5, 128, 1e-3,
                    DEFAULT_OUTPUT);
            String every = System.getProperty(EVERY_PROPERTY, "10").trim();
            int k;
            try {
                k = Integer.parseInt(every);
            } catch (NumberFormatException e) {
                k = 0;
            }
            if (k < 1) {
                throw new IllegalArgumentException("-D" + EVERY_PROPERTY + "=" + every + ": expected a whole number of at least 1");
            }
            return new Config(f.epochs(), f.limit(), k, f.seed(), f.dataDir(), DEFAULT_OUTPUT);
        }
    }

    /**
     * One training run.
     *
     * @param mode         how it trained
     * @param testAccuracy the fraction of test samples classified correctly at the end (evaluated under the
     *                     run's autocast)
     * @param losses       the (unscaled) training loss of every step
     * @param scales       the scaler's scale after every step's update (1 without scaling)
     * @param stepped      whether each step updated the weights (false where the scaler skipped it)
     * @param sampleSteps  the steps at which underflow was measured
     * @param underflow    {@code underflow[layer][sample]}: the fraction defined in the class comment
     * @param zeroed       per layer, the underflowed elements summed over all samples
     * @param nonZero      per layer, the elements non-zero in float32 summed over all samples
     * @param zeroedLast   per layer, as {@code zeroed} over the last epoch's samples
     * @param nonZeroLast  per layer, as {@code nonZero} over the last epoch's samples
     */
    public record Run(Mode mode, double testAccuracy, double[] losses, double[] scales, boolean[] stepped,
                      int[] sampleSteps, double[][] underflow, long[] zeroed, long[] nonZero, long[] zeroedLast,
                      long[] nonZeroLast) {

        /** @return how many steps the scaler skipped */
        public int skippedSteps() {
            int n = 0;
            for (boolean s : stepped) {
                n += s ? 0 : 1;
            }
            return n;
        }

        /**
         * The skipped steps that came after the first step that ran: zero when the only overflows were the
         * scaler's first probes down from its initial scale.
         *
         * @return the count
         */
        public int skippedAfterWarmUp() {
            int first = 0;
            while (first < stepped.length && !stepped[first]) {
                first++;
            }
            int n = 0;
            for (int i = first; i < stepped.length; i++) {
                n += stepped[i] ? 0 : 1;
            }
            return n;
        }

        /** @return the scale after the last step */
        public double finalScale() {
            return scales.length == 0 ? 1 : scales[scales.length - 1];
        }

        /**
         * @param layer the layer's index
         * @return its underflow fraction pooled over all samples (NaN for float32, which is not sampled)
         */
        public double underflowFraction(int layer) {
            return nonZero[layer] == 0 ? Double.NaN : (double) zeroed[layer] / nonZero[layer];
        }

        /**
         * @param layer the layer's index
         * @return its underflow fraction pooled over the last epoch's samples
         */
        public double lastEpochUnderflowFraction(int layer) {
            return nonZeroLast[layer] == 0 ? Double.NaN : (double) zeroedLast[layer] / nonZeroLast[layer];
        }
    }

    /**
     * Everything the example measured and wrote.
     *
     * @param task          what was trained, e.g. "Fashion-MNIST MLP 784-256-128-10"
     * @param fashionMnist  false when the data was missing and the two-moons MLP ran instead
     * @param layers        the Linear layers' names, input first
     * @param stepsPerEpoch optimizer steps per epoch
     * @param runs          the runs in {@link Mode} order
     * @param table         the printed table
     * @param files         the files written
     */
    public record Result(String task, boolean fashionMnist, List<String> layers, int stepsPerEpoch, List<Run> runs,
                         String table, List<Path> files) {
    }

    /** What is trained: data, model, loss and accuracy, the same for every run. */
    private record Task(String title, String chartTitle, boolean fashionMnist, Function<Random, Module> model, DataLoader loader,
                        BiFunction<Tensor, Batch, Tensor> loss, ToDoubleFunction<Module> testAccuracy, double learningRate) {
    }

    private MixedPrecision() {
    }

    /**
     * Runs the comparison with {@link Config#fromSystemProperties()} and prints it.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(Config.fromSystemProperties(), System.out);
    }

    /**
     * Trains the four runs, prints the table and writes the files.
     *
     * @param config what to run
     * @param out    where to print
     * @return the figures and files
     */
    public static Result run(Config config, PrintStream out) {
        Task task = task(config, out);
        List<String> layers = layerNames(task.model().apply(new Random(config.seed())));
        out.printf(Locale.ROOT, "%s, Adam lr %s, %d epoch%s of %d steps, seed %d; underflow measured every %d steps%n",
                task.title(), task.learningRate(), config.epochs(), config.epochs() == 1 ? "" : "s",
                task.loader().batchCount(), config.seed(), config.sampleEvery());
        List<Run> runs = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            long start = System.nanoTime();
            Run r = train(task, mode, config, layers.size(), out);
            runs.add(r);
            out.printf(Locale.ROOT, "  %-22s test accuracy %6.2f%%, final loss %.4f, %.1f s%n", mode.label(),
                    100 * r.testAccuracy(), mean(r.losses(), r.losses().length - task.loader().batchCount(), r.losses().length),
                    (System.nanoTime() - start) / 1e9);
        }
        String table = table(layers, runs);
        out.println();
        out.printf(Locale.ROOT, "underflow of a layer: the share of its gradient elements (weight and bias) that are exactly 0"
                + " in the run while%nthe float32 gradient of the same weights on the same batch is not, sampled every %d"
                + " steps (for the scaled run%nafter unscale), pooled over all samples / over the last epoch's. Skipped"
                + " steps: steps with an inf/NaN gradient%n(\"late\": after the first step that ran).%n%n", config.sampleEvery());
        out.print(table);
        Path dir = ExampleFiles.prepare(config.outputDir());
        int perEpoch = task.loader().batchCount();
        List<Path> files = List.of(
                MixedPrecisionCharts.drawLosses(task.chartTitle(), runs, perEpoch, dir.resolve(LOSS_FILE)),
                MixedPrecisionCharts.drawUnderflow(task.chartTitle(), layers, runs, perEpoch, dir.resolve(UNDERFLOW_FILE)),
                ExampleFiles.writeText(dir.resolve(CSV_FILE), csv(layers, runs, perEpoch)));
        out.println();
        for (Path f : files) {
            out.println("wrote " + f);
        }
        return new Result(task.title(), task.fashionMnist(), layers, perEpoch, List.copyOf(runs), table, files);
    }

    /** Fashion-MNIST when its files are there, the two-moons MLP otherwise (and says so). */
    private static Task task(Config config, PrintStream out) {
        List<String> missing = FashionMnist.missingFiles(config.dataDir());
        if (missing.isEmpty()) {
            FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN, config.dataDir()).first(config.limit());
            FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, config.dataDir());
            DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(config.seed()).build();
            return new Task("Fashion-MNIST MLP 784-256-128-10 (" + train.size() + " training samples)", "Fashion-MNIST MLP", true,
                    FashionMnistMlp::model, loader, (logits, b) -> Losses.crossEntropy(logits, b.targetsAsInts()),
                    m -> FashionMnistTraining.accuracy(FashionMnistTraining.confusion(m, test)), 1e-3);
        }
        out.println("Fashion-MNIST is not in " + config.dataDir() + " (missing " + missing + "): running the two-moons MLP "
                + "2-16-16-1 instead. " + FashionMnist.howToGet(config.dataDir()));
        int samples = Math.min(config.limit(), 1000);
        TwoMoonsCore.Dataset train = TwoMoonsCore.moons(Math.max(2, samples), config.seed());
        TwoMoonsCore.Dataset test = TwoMoonsCore.moons(1000, config.seed() + 1);
        Tensor trainTargets = train.labels().add(1).div(2).to(DType.FLOAT32);
        DataLoader loader = DataLoader.builder(new TensorDataset(train.points().to(DType.FLOAT32), trainTargets))
                .batchSize(32).shuffle(config.seed()).build();
        Tensor testPoints = test.points().to(DType.FLOAT32);
        double[] testLabels = test.labels().toDoubleArray();
        return new Task("two-moons MLP 2-16-16-1 (Fashion-MNIST not found)", "two-moons MLP", false,
                random -> MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(random), loader,
                (logits, b) -> Losses.binaryCrossEntropyWithLogits(logits, b.targets()),
                m -> {
                    double[] logits;
                    try (var s = Autograd.noGrad()) {
                        logits = m.forward(testPoints).toDoubleArray();
                    }
                    int right = 0;
                    for (int i = 0; i < logits.length; i++) {
                        right += (logits[i] > 0) == (testLabels[i] > 0) ? 1 : 0;
                    }
                    return (double) right / logits.length;
                }, 1e-2);
    }

    private static List<Linear> linearLayers(Module model) {
        List<Linear> layers = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m instanceof Linear l) {
                layers.add(l);
            }
        }
        return layers;
    }

    private static List<String> layerNames(Module model) {
        List<String> names = new ArrayList<>();
        List<Linear> layers = linearLayers(model);
        for (int i = 0; i < layers.size(); i++) {
            int[] w = layers.get(i).weight().shape();
            names.add("fc" + (i + 1) + " " + w[1] + "-" + w[0]);
        }
        return names;
    }

    /** One run: same initial weights (from the seed) and same batch order (the loader's seeded shuffle) as the others. */
    private static Run train(Task task, Mode mode, Config config, int layerCount, PrintStream out) {
        Module model = task.model().apply(new Random(config.seed()));
        model.to(DType.FLOAT32);
        model.train();
        List<List<Tensor>> layerParams = new ArrayList<>();
        for (Linear l : linearLayers(model)) {
            layerParams.add(l.parameters());
        }
        Optimizer optimizer = new Adam(model.parameters(), task.learningRate());
        // A disabled scaler passes every call through, so one loop serves all four runs.
        GradScaler scaler = new GradScaler(65536.0, 2.0, 0.5, 2000, mode.scaled());
        int perEpoch = task.loader().batchCount();
        int total = perEpoch * config.epochs();
        double[] losses = new double[total];
        double[] scales = new double[total];
        boolean[] stepped = new boolean[total];
        List<Integer> sampleSteps = new ArrayList<>();
        List<double[]> samples = new ArrayList<>();
        long[] zeroed = new long[layerCount];
        long[] nonZero = new long[layerCount];
        long[] zeroedLast = new long[layerCount];
        long[] nonZeroLast = new long[layerCount];
        int step = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            for (Batch batch : task.loader()) {
                boolean sample = mode.autocast() != null && step % config.sampleEvery() == 0;
                List<List<Tensor>> reference = sample ? float32Gradients(task, model, optimizer, batch, layerParams) : null;
                optimizer.zeroGrad();
                Tensor loss;
                try (var amp = mode.autocast() == null ? null : Autograd.autocast(mode.autocast())) {
                    loss = task.loss().apply(model.forward(batch.features()), batch);
                }
                scaler.scale(loss).backward();
                scaler.unscale(optimizer);
                long[][] counts = sample ? underflowCounts(layerParams, reference) : null;
                stepped[step] = scaler.step(optimizer);
                scaler.update();
                losses[step] = loss.item();
                scales[step] = scaler.scale();
                if (counts != null && stepped[step]) {
                    double[] fractions = new double[layerCount];
                    for (int l = 0; l < layerCount; l++) {
                        fractions[l] = counts[l][1] == 0 ? 0 : (double) counts[l][0] / counts[l][1];
                        zeroed[l] += counts[l][0];
                        nonZero[l] += counts[l][1];
                        if (epoch == config.epochs()) {
                            zeroedLast[l] += counts[l][0];
                            nonZeroLast[l] += counts[l][1];
                        }
                    }
                    sampleSteps.add(step);
                    samples.add(fractions);
                }
                step++;
            }
            if (config.epochs() > 1) {
                out.printf(Locale.ROOT, "  %-22s epoch %d/%d: mean loss %.4f%s%n", mode.label(), epoch, config.epochs(),
                        mean(losses, step - perEpoch, step), mode.scaled() ? String.format(Locale.ROOT, ", scale %.0f",
                                scaler.scale()) : "");
            }
        }
        double accuracy;
        try (var amp = mode.autocast() == null ? null : Autograd.autocast(mode.autocast())) {
            accuracy = task.testAccuracy().applyAsDouble(model);
        }
        double[][] underflow = new double[layerCount][samples.size()];
        for (int s = 0; s < samples.size(); s++) {
            for (int l = 0; l < layerCount; l++) {
                underflow[l][s] = samples.get(s)[l];
            }
        }
        return new Run(mode, accuracy, losses, scales, stepped, sampleSteps.stream().mapToInt(Integer::intValue).toArray(),
                underflow, zeroed, nonZero, zeroedLast, nonZeroLast);
    }

    /** The float32 gradients of the loss on {@code batch} at the current weights, per layer; the weights' grads are cleared after. */
    private static List<List<Tensor>> float32Gradients(Task task, Module model, Optimizer optimizer, Batch batch,
                                                       List<List<Tensor>> layerParams) {
        optimizer.zeroGrad();
        task.loss().apply(model.forward(batch.features()), batch).backward();
        List<List<Tensor>> grads = new ArrayList<>();
        for (List<Tensor> params : layerParams) {
            List<Tensor> g = new ArrayList<>();
            for (Tensor p : params) {
                g.add(p.grad());
            }
            grads.add(g);
        }
        optimizer.zeroGrad();
        return grads;
    }

    /** Per layer: {underflowed elements, elements non-zero in float32}; see the class comment. */
    private static long[][] underflowCounts(List<List<Tensor>> layerParams, List<List<Tensor>> reference) {
        long[][] counts = new long[layerParams.size()][2];
        try (var s = Autograd.noGrad()) {
            for (int l = 0; l < layerParams.size(); l++) {
                for (int i = 0; i < layerParams.get(l).size(); i++) {
                    Tensor g = layerParams.get(l).get(i).grad();
                    Tensor ref = reference.get(l).get(i);
                    Tensor refZero = ref.eq(0.0);
                    long refNonZero = ref.numel() - Math.round(refZero.sum().item());
                    // g == 0 where g has no gradient at all counts every element as zero.
                    Tensor runZero = g == null ? Tensor.onesLike(ref) : g.eq(0.0);
                    long both = Math.round(runZero.mul(refZero).sum().item());
                    counts[l][0] += Math.round(runZero.sum().item()) - both;
                    counts[l][1] += refNonZero;
                }
            }
        }
        return counts;
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = Math.max(0, from); i < to; i++) {
            sum += values[i];
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The printed table: accuracy, per-layer underflow (all samples / last epoch), skipped steps, final scale. */
    static String table(List<String> layers, List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %9s", "run", "test acc."));
        for (String layer : layers) {
            sb.append(String.format(Locale.ROOT, "  %22s", "underflow " + layer));
        }
        sb.append(String.format(Locale.ROOT, "  %13s  %11s%n", "skipped steps", "final scale"));
        sb.append(String.format(Locale.ROOT, "%-22s %9s", "", ""));
        for (int l = 0; l < layers.size(); l++) {
            sb.append(String.format(Locale.ROOT, "  %22s", "all / last epoch"));
        }
        sb.append(String.format(Locale.ROOT, "%n"));
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%-22s %8.2f%%", r.mode().label(), 100 * r.testAccuracy()));
            for (int l = 0; l < layers.size(); l++) {
                String cell = r.mode().autocast() == null ? "-"
                        : percent(r.underflowFraction(l)) + " / " + percent(r.lastEpochUnderflowFraction(l));
                sb.append(String.format(Locale.ROOT, "  %22s", cell));
            }
            String skipped = r.mode().scaled() ? r.skippedSteps() + " (" + r.skippedAfterWarmUp() + " late)" : "-";
            String scale = r.mode().scaled() ? String.format(Locale.ROOT, "%.0f", r.finalScale()) : "-";
            sb.append(String.format(Locale.ROOT, "  %13s  %11s%n", skipped, scale));
        }
        return sb.toString();
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.3f%%", 100 * fraction);
    }

    /** One row per run and step; the underflow columns are empty where the step was not sampled. */
    static String csv(List<String> layers, List<Run> runs, int perEpoch) {
        StringBuilder sb = new StringBuilder("run,step,epoch,loss,scale,stepped");
        for (String layer : layers) {
            sb.append(",underflow_").append(layer.substring(0, layer.indexOf(' ')));
        }
        sb.append('\n');
        for (Run r : runs) {
            int sample = 0;
            for (int step = 0; step < r.losses().length; step++) {
                sb.append(r.mode().label()).append(',').append(step).append(',')
                        .append(String.format(Locale.ROOT, "%.4f", (double) (step + 1) / perEpoch)).append(',')
                        .append(String.format(Locale.ROOT, "%.6g", r.losses()[step])).append(',')
                        .append(String.format(Locale.ROOT, "%.0f", r.scales()[step])).append(',')
                        .append(r.stepped()[step]);
                boolean sampled = sample < r.sampleSteps().length && r.sampleSteps()[sample] == step;
                for (int l = 0; l < layers.size(); l++) {
                    sb.append(',');
                    if (sampled) {
                        sb.append(String.format(Locale.ROOT, "%.6g", r.underflow()[l][sample]));
                    }
                }
                if (sampled) {
                    sample++;
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
