package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.DatasetNotFoundException;
import dev.autograd.nn.data.FashionMnist;
import dev.autograd.nn.data.IdxFormatException;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of the Fashion-MNIST examples ({@link FashionMnistMlp}, {@link FashionMnistCnn}): FLOAT32
 * model and data, Adam, shuffled mini-batches, cross-entropy; a progress line per epoch (loss, training
 * accuracy, samples per second, seconds), the test accuracy after each epoch (not counted in the epoch's
 * time), a loss/accuracy chart and a confusion matrix of the test set as PNG files.
 */
public final class FashionMnistTraining {

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnistTraining.class);

    /** The file name of the loss/accuracy chart, in the output folder. */
    public static final String CHART_FILE = "loss-accuracy.png";

    /** The file name of the confusion-matrix picture, in the output folder. */
    public static final String CONFUSION_FILE = "confusion-matrix.png";

    /** The system property that sets the number of epochs. */
    public static final String EPOCHS_PROPERTY = "fashion.epochs";

    /** The system property that trains on the first N training samples only. */
    public static final String LIMIT_PROPERTY = "fashion.limit";

    /** The system property that sets the seed of the initial weights and the shuffling (default 42). */
    public static final String SEED_PROPERTY = "fashion.seed";

    private static final int EVAL_BATCH = 1000;

    private FashionMnistTraining() {
    }

    /**
     * What to train.
     *
     * @param title        the model's name in the log and the pictures, e.g. "MLP 784-256-128-10"
     * @param epochs       passes over the training data, at least 1
     * @param batchSize    samples per optimizer step, at least 1
     * @param learningRate Adam's step size
     * @param limit        train on the first {@code limit} training samples (at least 1; {@code Integer.MAX_VALUE}
     *                     for all)
     * @param seed         seeds the initial weights and the shuffling
     * @param dataDir      the folder with the four Fashion-MNIST files
     * @param outputDir    where the pictures go
     */
    public record Config(String title, int epochs, int batchSize, double learningRate, int limit, long seed, Path dataDir,
                         Path outputDir) {

        /** Checks the values. */
        public Config {
            if (epochs < 1 || batchSize < 1 || limit < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("FashionMnistTraining: need epochs >= 1, batchSize >= 1, limit >= 1 and a"
                        + " positive learning rate, got " + epochs + ", " + batchSize + ", " + limit + ", " + learningRate);
            }
        }

        /**
         * A configuration with {@code -Dfashion.epochs=N}, {@code -Dfashion.limit=N} and {@code -Dfashion.seed=N}
         * (default 42) applied when set, and the data from {@link FashionMnist#defaultDirectory()}.
         *
         * @param title        the model's name
         * @param epochs       the epochs when the property is not set
         * @param batchSize    the batch size
         * @param learningRate Adam's step size
         * @param outputDir    where the pictures go
         * @return the configuration
         * @throws IllegalArgumentException when a property is not a positive whole number
         */
        public static Config fromSystemProperties(String title, int epochs, int batchSize, double learningRate,
                                                  Path outputDir) {
            return new Config(title, intProperty(EPOCHS_PROPERTY, epochs), batchSize, learningRate,
                    intProperty(LIMIT_PROPERTY, Integer.MAX_VALUE), seedProperty(), FashionMnist.defaultDirectory(), outputDir);
        }

        /**
         * The same configuration with other epochs and limit, e.g. for a quick test.
         *
         * @param epochs    passes over the data
         * @param limit     training samples used
         * @param outputDir where the pictures go
         * @return the new configuration
         */
        public Config withRun(int epochs, int limit, Path outputDir) {
            return new Config(title, epochs, batchSize, learningRate, limit, seed, dataDir, outputDir);
        }
    }

    private static long seedProperty() {
        return longProperty(SEED_PROPERTY, 42L);
    }

    /** The system property {@code name} as a whole number, or {@code fallback} when it is not set. */
    static long longProperty(String name, long fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + value + ": expected a whole number", e);
        }
    }

    /** The system property {@code name} as a whole number of at least 1, or {@code fallback} when it is not set. */
    static int intProperty(String name, int fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim().replace("_", ""));
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + name + "=" + value + ": expected a whole number of at least 1");
    }

    /**
     * One epoch's figures.
     *
     * @param epoch            from 1
     * @param loss             mean cross-entropy over the epoch's samples
     * @param trainAccuracy    fraction of the epoch's samples classified correctly while training (the model
     *                         changes during the epoch)
     * @param testAccuracy     fraction of the test set classified correctly after the epoch
     * @param seconds          wall-clock time of the epoch's training (loading batches, forward, backward, steps;
     *                         not the test evaluation)
     * @param samplesPerSecond training samples per second
     */
    public record Epoch(int epoch, double loss, double trainAccuracy, double testAccuracy, double seconds,
                        double samplesPerSecond) {
    }

    /**
     * What training produced.
     *
     * @param epochs          each epoch's figures
     * @param testAccuracy    the final fraction of test images classified correctly
     * @param confusion       {@code confusion[true][predicted]} counts over the test set
     * @param lossSteps       the fractional epoch at the end of each logged stretch of batches
     * @param lossCurve       the mean loss over each logged stretch of batches
     * @param chart           the loss/accuracy PNG
     * @param confusionMatrix the confusion-matrix PNG
     * @param model           the trained model (FLOAT32)
     */
    public record Result(List<Epoch> epochs, double testAccuracy, int[][] confusion, double[] lossSteps,
                         double[] lossCurve, Path chart, Path confusionMatrix, Module model) {
    }

    /**
     * Runs an example's {@code main}: trains, prints the test accuracy and the pictures' paths; when the data
     * is missing, prints how to get it and exits with status 2; when a file is damaged or unreadable, prints
     * what is wrong and exits with status 1.
     *
     * @param config what to train
     * @param model  builds the model from a seeded generator
     */
    static void run(Config config, Function<Random, Module> model) {
        Result result;
        try {
            result = train(config, model);
        } catch (DatasetNotFoundException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        } catch (IdxFormatException | UncheckedIOException e) {
            // A damaged or unreadable file: the message names it and says what is wrong.
            System.err.println(config.title() + " failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        double mean = result.epochs().stream().mapToDouble(Epoch::seconds).average().orElse(0);
        System.out.printf(Locale.ROOT, "test accuracy: %.2f%% after %d epoch%s (mean epoch time %.1f s)%n",
                100 * result.testAccuracy(), result.epochs().size(), result.epochs().size() == 1 ? "" : "s", mean);
        System.out.println("loss/accuracy chart: " + result.chart().toAbsolutePath());
        System.out.println("confusion matrix: " + result.confusionMatrix().toAbsolutePath());
    }

    /**
     * Loads the data, trains a FLOAT32 copy of the model with Adam, evaluates it after each epoch and draws the
     * pictures.
     *
     * @param config what to train
     * @param build  builds the model (any dtype; it is converted to FLOAT32) from a seeded generator; it takes
     *               images {@code [B, 1, 28, 28]} and returns logits {@code [B, 10]}
     * @return the figures and the pictures' paths
     * @throws DatasetNotFoundException when the Fashion-MNIST files are not in {@code config.dataDir()}
     */
    public static Result train(Config config, Function<Random, Module> build) {
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN, config.dataDir()).first(config.limit());
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, config.dataDir());
        Module model = build.apply(new Random(config.seed()));
        model.to(DType.FLOAT32);
        model.train();
        Optimizer optimizer = new Adam(model.parameters(), config.learningRate());
        DataLoader loader = DataLoader.builder(train).batchSize(config.batchSize()).shuffle(config.seed()).build();
        LOG.info("{}: {} parameters, {} training and {} test samples from {}, batch {}, Adam lr {}, {} epoch{}, seed {}\n{}",
                config.title(), model.parameterCount(), train.size(), test.size(), config.dataDir(), config.batchSize(),
                config.learningRate(), config.epochs(), config.epochs() == 1 ? "" : "s", config.seed(), model);

        int batches = loader.batchCount();
        int window = Math.max(1, batches / 20);
        boolean progress = batches >= 100;
        List<Epoch> epochs = new ArrayList<>();
        List<Double> steps = new ArrayList<>();
        List<Double> curve = new ArrayList<>();
        int[][] confusion = null;
        for (int e = 1; e <= config.epochs(); e++) {
            model.train();
            double total = 0;
            long correct = 0;
            long seen = 0;
            double windowLoss = 0;
            int windowBatches = 0;
            int b = 0;
            long start = System.nanoTime();
            for (Batch batch : loader) {
                int[] targets = batch.targetsAsInts();
                optimizer.zeroGrad();
                Tensor logits = model.forward(batch.features());
                Tensor loss = Losses.crossEntropy(logits, targets);
                loss.backward();
                optimizer.step();
                double value = loss.item();
                total += value * targets.length;
                seen += targets.length;
                correct += countCorrect(logits.detach(), targets);
                windowLoss += value;
                windowBatches++;
                b++;
                if (b % window == 0 || b == batches) {
                    steps.add(e - 1 + (double) b / batches);
                    curve.add(windowLoss / windowBatches);
                    windowLoss = 0;
                    windowBatches = 0;
                }
                if (progress && (b == batches / 4 || b == batches / 2 || b == 3 * batches / 4)) {
                    double s = (System.nanoTime() - start) / 1e9;
                    LOG.info("epoch {}/{}: {}% ({}/{} batches), loss {}, train accuracy {}, {} samples/s", e,
                            config.epochs(), 100 * b / batches, b, batches, fmt("%.4f", total / seen),
                            fmt("%.1f%%", 100.0 * correct / seen), fmt("%.0f", seen / s));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            confusion = confusion(model, test);
            double testAccuracy = accuracy(confusion);
            Epoch epoch = new Epoch(e, total / seen, (double) correct / seen, testAccuracy, seconds, seen / seconds);
            epochs.add(epoch);
            LOG.info("epoch {}/{}: loss {}, train accuracy {}, {} samples/s, {} s (test accuracy {})", e, config.epochs(),
                    fmt("%.4f", epoch.loss()), fmt("%.2f%%", 100 * epoch.trainAccuracy()),
                    fmt("%.0f", epoch.samplesPerSecond()), fmt("%.2f", seconds), fmt("%.2f%%", 100 * testAccuracy));
        }
        Path dir = ExampleFiles.prepare(config.outputDir());
        double[] stepArray = steps.stream().mapToDouble(Double::doubleValue).toArray();
        double[] curveArray = curve.stream().mapToDouble(Double::doubleValue).toArray();
        Path chart = drawChart(config.title(), epochs, stepArray, curveArray, dir.resolve(CHART_FILE));
        Path matrix = drawConfusionMatrix(config.title(), confusion, dir.resolve(CONFUSION_FILE));
        LOG.info("drew {} and {}", chart, matrix);
        return new Result(List.copyOf(epochs), accuracy(confusion), confusion, stepArray, curveArray, chart, matrix, model);
    }

    private static long countCorrect(Tensor logits, int[] targets) {
        double[] predicted;
        try (var scope = Autograd.noGrad()) {
            predicted = logits.argmax(1, false).toDoubleArray();
        }
        long correct = 0;
        for (int i = 0; i < targets.length; i++) {
            if ((int) predicted[i] == targets[i]) {
                correct++;
            }
        }
        return correct;
    }

    /**
     * The confusion matrix of {@code model} on {@code data}, in evaluation mode without recording.
     *
     * @param model a classifier of images {@code [B, 1, 28, 28]} into 10 logits
     * @param data  the samples
     * @return {@code counts[true class][predicted class]}
     */
    public static int[][] confusion(Module model, FashionMnist data) {
        int classes = FashionMnist.CLASS_NAMES.size();
        int[][] counts = new int[classes][classes];
        boolean training = model.isTraining();
        model.eval();
        try (var scope = Autograd.noGrad()) {
            for (Batch batch : DataLoader.builder(data).batchSize(EVAL_BATCH).build()) {
                double[] predicted = model.forward(batch.features()).argmax(1, false).toDoubleArray();
                int[] targets = batch.targetsAsInts();
                for (int i = 0; i < targets.length; i++) {
                    counts[targets[i]][(int) predicted[i]]++;
                }
            }
        } finally {
            model.train(training);
        }
        return counts;
    }

    /**
     * The fraction on the diagonal.
     *
     * @param confusion {@code counts[true][predicted]}
     * @return the accuracy in [0, 1]
     */
    public static double accuracy(int[][] confusion) {
        long right = 0;
        long all = 0;
        for (int t = 0; t < confusion.length; t++) {
            for (int p = 0; p < confusion[t].length; p++) {
                all += confusion[t][p];
                right += t == p ? confusion[t][p] : 0;
            }
        }
        return all == 0 ? 0 : (double) right / all;
    }

    /**
     * Draws the training loss (mean over stretches of about a twentieth of an epoch, left axis) and the training
     * and test accuracy after each epoch (right axis, percent) as a PNG file.
     *
     * @param title     the model's name
     * @param epochs    each epoch's figures
     * @param lossSteps the fractional epoch at the end of each stretch of batches
     * @param lossCurve the mean loss over each stretch
     * @param file      the PNG file to write
     * @return {@code file}
     */
    public static Path drawChart(String title, List<Epoch> epochs, double[] lossSteps, double[] lossCurve, Path file) {
        XYChart chart = Charts.lineChart("Fashion-MNIST, " + title + ": loss and accuracy", "epoch",
                "mean cross-entropy", false);
        XYSeries loss = Charts.addLine(chart, "training loss (mean over ~1/20 epoch)", lossSteps, lossCurve);
        if (loss != null) {
            loss.setLineColor(new Color(0x1F77B4));
            loss.setMarkerColor(new Color(0x1F77B4));
            loss.setLineWidth(2f);
            loss.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        double[] x = new double[epochs.size()];
        double[] train = new double[epochs.size()];
        double[] test = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i).epoch();
            train[i] = 100 * epochs.get(i).trainAccuracy();
            test[i] = 100 * epochs.get(i).testAccuracy();
        }
        XYSeries trainSeries = Charts.addLine(chart, "training accuracy during the epoch (%, right axis)", x, train);
        XYSeries testSeries = Charts.addLine(chart, "test accuracy after the epoch (%, right axis)", x, test);
        for (XYSeries s : new XYSeries[] {trainSeries, testSeries}) {
            if (s != null) {
                s.setYAxisGroup(1);
                s.setLineStyle(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f));
            }
        }
        if (trainSeries != null) {
            trainSeries.setLineColor(new Color(0xFF7F0E));
            trainSeries.setMarkerColor(new Color(0xFF7F0E));
        }
        if (testSeries != null) {
            testSeries.setLineColor(new Color(0x2CA02C));
            testSeries.setMarkerColor(new Color(0x2CA02C));
        }
        chart.setYAxisGroupTitle(0, "mean cross-entropy");
        chart.setYAxisGroupTitle(1, "accuracy (%)");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) Math.max(1, epochs.size()));
        chart.getStyler().setYAxisMin(0, 0.0);
        // The accuracy axis from a round number below the lowest accuracy to 100%, whatever the number of epochs.
        double lowest = 100;
        for (int i = 0; i < x.length; i++) {
            lowest = Math.min(lowest, Math.min(train[i], test[i]));
        }
        chart.getStyler().setYAxisMin(1, Math.max(0, Math.floor((lowest - 2) / 5) * 5));
        chart.getStyler().setYAxisMax(1, 100.0);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        chart.getStyler().setYAxisGroupPosition(0, Styler.YAxisPosition.Left);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        return Charts.savePng(chart, file);
    }

    /**
     * Draws a confusion matrix: one row per true class, one column per predicted class, each cell showing its
     * count and shaded by it (on a logarithmic scale, so that small confusions show beside the large diagonal).
     *
     * @param title     the model's name
     * @param confusion {@code counts[true][predicted]}, 10 x 10
     * @param file      the PNG file to write
     * @return {@code file}
     */
    public static Path drawConfusionMatrix(String title, int[][] confusion, Path file) {
        List<String> names = FashionMnist.CLASS_NAMES;
        int n = names.size();
        int cell = 74;
        int left = 170;
        int top = 120;
        int barWidth = 22;
        int width = left + n * cell + 150;
        int height = top + n * cell + 70;
        int max = 1;
        for (int[] row : confusion) {
            for (int c : row) {
                max = Math.max(max, c);
            }
        }
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            Charts.centered(g, "Fashion-MNIST, " + title + ": confusion matrix on " + String.format(Locale.ROOT, "%,d", sum(confusion))
                    + " test images (accuracy " + fmt("%.2f%%", 100 * accuracy(confusion)) + ")", width / 2, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            Charts.centered(g, "predicted class", left + n * cell / 2, 62);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            Charts.centered(g, "true class", -(top + n * cell / 2), 24);
            g.setTransform(saved);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < n; i++) {
                Charts.centered(g, names.get(i), left + i * cell + cell / 2, top - 12);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(names.get(i), left - 10 - fm.stringWidth(names.get(i)), top + i * cell + cell / 2 + fm.getAscent() / 2 - 1);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            for (int t = 0; t < n; t++) {
                for (int p = 0; p < n; p++) {
                    int count = confusion[t][p];
                    double shade = shade(count, max);
                    g.setColor(colour(shade));
                    g.fillRect(left + p * cell, top + t * cell, cell, cell);
                    g.setColor(shade > 0.55 ? Color.WHITE : count == 0 ? new Color(0xB0B0B0) : new Color(0x202020));
                    Charts.centered(g, Integer.toString(count), left + p * cell + cell / 2, top + t * cell + cell / 2 + 6);
                }
            }
            g.setColor(new Color(0x808080));
            g.setStroke(new BasicStroke(1f));
            for (int i = 0; i <= n; i++) {
                g.drawLine(left, top + i * cell, left + n * cell, top + i * cell);
                g.drawLine(left + i * cell, top, left + i * cell, top + n * cell);
            }
            // The colour bar: the same logarithmic scale, ticks at powers of ten.
            int barX = left + n * cell + 40;
            int barH = n * cell;
            for (int y = 0; y < barH; y++) {
                g.setColor(colour(1 - (double) y / (barH - 1)));
                g.fillRect(barX, top + y, barWidth, 1);
            }
            g.setColor(new Color(0x808080));
            g.drawRect(barX, top, barWidth, barH);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.BLACK);
            for (int v = 1; v <= max; v *= 10) {
                tick(g, barX, barWidth, top, barH, shade(v, max), Integer.toString(v));
            }
            tick(g, barX, barWidth, top, barH, 0, "0");
            tick(g, barX, barWidth, top, barH, 1, Integer.toString(max));
            g.drawString("count (log scale)", barX - 30, top + barH + 26);
        } finally {
            g.dispose();
        }
        return Charts.savePng(image, file);
    }

    private static void tick(Graphics2D g, int barX, int barWidth, int top, int barH, double shade, String label) {
        int y = top + (int) Math.round((1 - shade) * (barH - 1));
        g.drawLine(barX + barWidth, y, barX + barWidth + 5, y);
        g.drawString(label, barX + barWidth + 8, y + 5);
    }

    /** 0 for no samples, 1 for the largest count, logarithmic between. */
    private static double shade(int count, int max) {
        return Math.log1p(count) / Math.log1p(max);
    }

    /** White through light blue to dark blue. */
    private static Color colour(double shade) {
        double s = Math.max(0, Math.min(1, shade));
        int[] from = {0xFF, 0xFF, 0xFF};
        int[] mid = {0x9E, 0xCA, 0xE1};
        int[] to = {0x08, 0x30, 0x6B};
        int[] a = s < 0.5 ? from : mid;
        int[] b = s < 0.5 ? mid : to;
        double f = s < 0.5 ? s / 0.5 : (s - 0.5) / 0.5;
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    private static long sum(int[][] counts) {
        long s = 0;
        for (int[] row : counts) {
            for (int c : row) {
                s += c;
            }
        }
        return s;
    }

    private static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
