package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.Reduction;
import dev.autograd.nn.SafeTensors;
import dev.autograd.nn.data.FashionMnist;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.spark.RowFormat;
import dev.autograd.spark.SparkTrainer;
import dev.autograd.spark.StepStats;
import dev.autograd.spark.TrainingResult;
import dev.autograd.spark.TrainingRow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The Fashion-MNIST MLP ({@code 784 -> 256 -> 128 -> 10}, ReLU, FLOAT32, Adam 1e-3) trained data-parallel on
 * Apache Spark with {@link SparkTrainer}: {@code local[*]} by default, any master URL with {@code --master}. The
 * images become an RDD of {@link TrainingRow}s, which the trainer spreads over the partitions once. It
 * logs every step's loss, throughput and communication share, writes the model and a chart of loss and
 * throughput under {@code out/spark-training/}, and prints the test accuracy. Without Fashion-MNIST installed it
 * trains the same network on generated data (784 features, 10 classes from a random linear teacher).
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:exec@spark}, with options in
 * {@code -Dspark.args="..."}: {@code --master URL} (default {@code local[*]}; {@code local[N,F]} retries a task
 * F times), {@code --partitions N} (default: the master's default parallelism), {@code --steps N} (300),
 * {@code --batch N} (global batch, 1024), {@code --limit N} (train on the first N samples), {@code --out DIR}.
 */
public final class SparkTraining {

    /** Where the files go. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "spark-training");

    /** Steps at the start left out of the throughput summary: the JIT and the replicas warm up. */
    static final int WARM_UP = 5;

    private SparkTraining() {
    }

    /**
     * The run's settings.
     *
     * @param master     the Spark master URL, or null to keep the one spark-submit set (else {@code local[*]})
     * @param partitions the partitions, 0 for the master's default parallelism
     * @param steps      the global steps
     * @param batchSize  the global batch size
     * @param limit      train on the first {@code limit} samples, 0 for all
     * @param generated  train on generated data even when Fashion-MNIST is installed
     * @param output     the output folder
     */
    record Config(String master, int partitions, int steps, int batchSize, int limit, boolean generated, Path output) {

        static Config parse(String[] args) {
            String master = null;
            int partitions = 0;
            int steps = 300;
            int batch = 1024;
            int limit = 0;
            boolean generated = false;
            Path output = DEFAULT_OUTPUT;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--generated")) {
                    generated = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("SparkTraining: option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--master" -> master = v;
                    case "--partitions" -> partitions = Integer.parseInt(v);
                    case "--steps" -> steps = Integer.parseInt(v);
                    case "--batch" -> batch = Integer.parseInt(v);
                    case "--limit" -> limit = Integer.parseInt(v);
                    case "--out" -> output = Path.of(v);
                    default -> throw new IllegalArgumentException("SparkTraining: unknown option " + a + "; options: "
                            + "--master URL, --partitions N, --steps N, --batch N, --limit N, --generated, --out DIR");
                }
            }
            return new Config(master, partitions, steps, batch, limit, generated, output);
        }
    }

    /**
     * What a run gave.
     *
     * @param history        one entry per step
     * @param examplesPerSec throughput over the steps after {@link #WARM_UP}
     * @param communication  the share of step time outside the tasks' computation, over the same steps
     * @param testAccuracy   accuracy on the Fashion-MNIST test set, NaN on generated data
     * @param partitions     the partitions used
     * @param master         the master URL used
     * @param model          the model file
     * @param chart          the chart file
     */
    record Result(List<StepStats> history, double examplesPerSec, double communication, double testAccuracy,
                  int partitions, String master, Path model, Path chart) {
    }

    /**
     * Trains and reports.
     *
     * @param args the options listed in the class comment
     */
    public static void main(String[] args) {
        run(Config.parse(args), System.out);
    }

    static Result run(Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(config.output());
        SparkConf conf = new SparkConf().setAppName("autograd SparkTraining").set("spark.ui.enabled", "false");
        if (config.master() != null || !conf.contains("spark.master")) {
            conf.setMaster(config.master() != null ? config.master() : "local[*]");
        }
        boolean fashion = !config.generated() && FashionMnist.isAvailable();
        TensorDataset train = fashion ? fashion(FashionMnist.Split.TRAIN, config.limit()) : generated(config.limit());
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            int partitions = config.partitions() > 0 ? config.partitions() : spark.defaultParallelism();
            out.printf(Locale.ROOT, "training the MLP 784-256-128-10 on %s (%d samples) with Spark %s, master %s, %d "
                            + "partitions, global batch %d, %d steps%n", fashion ? "Fashion-MNIST" : "generated data",
                    train.size(), spark.version(), spark.master(), partitions, config.batchSize(), config.steps());
            // region trainer
            // Slices of 256 images (800 KB: Spark advises tasks under 1 MiB). A data set too large for the
            // driver would be read into the RDD on the executors instead, e.g. with spark.textFile(...).map(...).
            int slices = Math.max(partitions, train.size() / 256);
            JavaRDD<TrainingRow> rows = spark.parallelize(TrainingRow.listOf(train), slices);
            RowFormat images = RowFormat.of(DType.FLOAT32, new int[] {1, 28, 28}, new int[0]);  // one label a row
            SparkTrainer trainer = SparkTrainer.builder()
                    .model(() -> FashionMnistMlp.model(new Random(42)).to(DType.FLOAT32))
                    .optimizer(params -> new Adam(params, 1e-3))
                    .loss(SparkTraining::crossEntropySum)       // summed over a partition's rows
                    .batchSize(config.batchSize())
                    .steps(config.steps())
                    .seed(7)                                     // the batch sequence
                    .partitions(partitions)
                    .checkpointDirectory(dir.resolve("checkpoint"))
                    .checkpointEvery(100)
                    .logEvery(1)
                    .build();
            TrainingResult result = trainer.fit(spark, rows, images);
            SafeTensors.save(result.model(), dir.resolve("model.safetensors"));
            // endregion
            Path modelFile = dir.resolve("model.safetensors");
            double accuracy = fashion ? accuracy(result.model(), fashion(FashionMnist.Split.TEST, 0)) : Double.NaN;
            List<StepStats> h = result.history();
            List<StepStats> measured = h.size() > WARM_UP ? h.subList(WARM_UP, h.size()) : h;
            long examples = total(measured, StepStats::examples);
            long wall = total(measured, StepStats::wallNanos);
            long compute = total(measured, StepStats::maxComputeNanos);
            long broadcast = total(measured, StepStats::broadcastNanos);
            long job = total(measured, StepStats::jobNanos);
            long update = total(measured, StepStats::updateNanos);
            double perSecond = examples * 1e9 / wall;
            double communication = 1 - (double) compute / wall;
            Path chart = chart(h, spark.master(), partitions, dir.resolve("loss-throughput.png"));
            int m = measured.size();
            out.printf(Locale.ROOT, "%d partitions on %s: %.0f examples/s over steps %d-%d; per step %.1f ms = broadcast "
                            + "%.1f + Spark job %.1f + driver update %.1f ms; the slowest task computed %.1f ms, so "
                            + "communication and coordination take %.0f%% of the step%n",
                    partitions, spark.master(), perSecond, measured.get(0).step(), h.get(h.size() - 1).step(),
                    wall / 1e6 / m, broadcast / 1e6 / m, job / 1e6 / m, update / 1e6 / m, compute / 1e6 / m,
                    100 * communication);
            out.printf(Locale.ROOT, "loss %.4f at step 1, %.4f at step %d%s%n", h.get(0).loss(), h.get(h.size() - 1).loss(),
                    h.get(h.size() - 1).step(), fashion ? String.format(Locale.ROOT, "; test accuracy %.2f%%", 100 * accuracy)
                            : "");
            out.println("wrote " + modelFile);
            out.println("wrote " + dir.resolve("checkpoint").resolve(SparkTrainer.CHECKPOINT_FILE));
            out.println("wrote " + chart);
            return new Result(h, perSecond, communication, accuracy, partitions, spark.master(), modelFile, chart);
        }
    }

    private static long total(List<StepStats> steps, ToLongFunction<StepStats> part) {
        return steps.stream().mapToLong(part).sum();
    }

    /** The cross-entropy of the logits summed over the rows, as {@link SparkTrainer} wants it. */
    static Tensor crossEntropySum(Tensor logits, Tensor targets) {
        double[] v = targets.toDoubleArray();
        int[] classes = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            classes[i] = (int) v[i];
        }
        return Losses.crossEntropy(logits, classes, 0, Reduction.SUM);
    }

    private static TensorDataset fashion(FashionMnist.Split split, int limit) {
        FashionMnist data = FashionMnist.load(split);
        if (limit > 0 && limit < data.size()) {
            data = data.first(limit);
        }
        return new TensorDataset(data.images().to(DType.FLOAT32), data.targets().to(DType.FLOAT32));
    }

    /** 784 uniform features; the class is the argmax of a fixed random linear map of them. */
    static TensorDataset generated(int limit) {
        int n = limit > 0 ? limit : 20_000;
        Random random = new Random(1);
        Tensor x = Tensor.rand(random, n, 784).to(DType.FLOAT32);
        Tensor teacher = Tensor.randn(random, 784, 10).to(DType.FLOAT32);
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = x.matmul(teacher).argmax(1, false);
        }
        return new TensorDataset(x.reshape(n, 1, 28, 28), y);
    }

    private static double accuracy(Module model, TensorDataset test) {
        model.eval();
        int correct = 0;
        try (var scope = Autograd.noGrad()) {
            for (int from = 0; from < test.size(); from += 1000) {
                int to = Math.min(test.size(), from + 1000);
                double[] predicted = model.forward(test.features().slice(0, from, to, 1)).argmax(1, false).toDoubleArray();
                double[] labels = test.targets().slice(0, from, to, 1).toDoubleArray();
                for (int i = 0; i < predicted.length; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
            }
        }
        return (double) correct / test.size();
    }

    /** Loss (left axis) and examples per second (right axis) against the step. */
    private static Path chart(List<StepStats> history, String master, int partitions, Path file) {
        double[] step = new double[history.size()];
        double[] loss = new double[history.size()];
        double[] rate = new double[history.size()];
        for (int i = 0; i < history.size(); i++) {
            step[i] = history.get(i).step();
            loss[i] = history.get(i).loss();
            rate[i] = history.get(i).examplesPerSecond();
        }
        XYChart chart = Charts.lineChart("MLP 784-256-128-10 on Spark " + master + ", " + partitions + " partitions",
                "step", "training loss (mean over the global batch)", false);
        Charts.addLine(chart, "loss", step, loss);
        XYSeries throughput = Charts.addLine(chart, "examples per second (right axis)", step, rate);
        throughput.setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, "examples per second");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        // With hundreds of steps XChart puts a tick every 10 steps from step 1 and their labels run into each
        // other: label every fifth (a blank label must be a space, XChart cannot lay out an empty string).
        if (history.size() > 100) {
            chart.getStyler().setxAxisTickLabelsFormattingFunction(
                    x -> Math.round(x - 1) % 50 == 0 ? Long.toString(Math.round(x)) : " ");
        }
        return Charts.savePng(chart, file);
    }
}
