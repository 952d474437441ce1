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
import dev.autograd.nn.data.Transform;
import dev.autograd.nn.data.Transforms;
import dev.autograd.nn.optim.Adam;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Data augmentation against overfitting: the Fashion-MNIST CNN of {@link FashionMnistCnn} trained on a small
 * subset of the training images (the first 1,000 by default) until it knows them by heart, once on the images as
 * they are and once with a random crop with zero padding 2 (so shifts of up to 2 pixels) and a random
 * horizontal flip, both from {@link Transforms} and applied by the {@link DataLoader} per batch. Both runs start
 * from the same initial weights and see the same batch order (the loader's shuffle depends on the seed and the
 * epoch only); only the augmentation differs. After every epoch each model is evaluated on the training subset
 * (the images as they are) and on the whole test set (10,000 images); the gap between the two accuracies is how
 * much the model overfits.
 *
 * <p>It prints a table per epoch and a summary, and writes to {@code out/augmentation/}: {@code augmentation.png}
 * (training and test accuracy per epoch of both runs), {@code gap.png} (their train/test gap per epoch),
 * {@code samples.png} (one training image of each class and what the augmentation made of it in the first
 * epochs) and {@code augmentation.csv} (the table).
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.Augmentation};
 * {@code -Daugmentation.train=N} trains on the first N images, {@code -Daugmentation.epochs=N} sets the epochs,
 * {@code -Daugmentation.test=N} evaluates on the first N test images, {@code -Daugmentation.seed=N} changes the
 * seed (42) of the weights, the shuffling and the augmentation, and {@code -Dautograd.fashionMnist.dir=/folder}
 * reads the data from another folder. Without the data it says how to get it and exits with status 2.
 */
public final class Augmentation {

    /** Where the files go. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "augmentation");
    /** The accuracy chart. */
    public static final String CHART_FILE = "augmentation.png";
    /** The picture of augmented samples. */
    public static final String SAMPLES_FILE = "samples.png";
    /** The train/test gap per epoch of both runs. */
    public static final String GAP_FILE = "gap.png";
    /** The per-epoch table. */
    public static final String CSV_FILE = "augmentation.csv";

    /** The system property of the number of training images. */
    public static final String TRAIN_PROPERTY = "augmentation.train";
    /** The system property of the number of epochs. */
    public static final String EPOCHS_PROPERTY = "augmentation.epochs";
    /** The system property of the number of test images. */
    public static final String TEST_PROPERTY = "augmentation.test";
    /** The system property of the seed. */
    public static final String SEED_PROPERTY = "augmentation.seed";

    /** Rows of {@code samples.png} below the originals: the augmentations of epochs 1 to this. */
    static final int SAMPLE_EPOCHS = 4;

    /** Passes over the training images per loader setting when the loader is timed. */
    private static final int PASSES = 5;

    private static final Color PLAIN_COLOUR = new Color(0x1F77B4);
    private static final Color AUGMENTED_COLOUR = new Color(0xD62728);

    private Augmentation() {
    }

    /**
     * What to run.
     *
     * @param trainSize    the first {@code trainSize} training images are the training set, at least 1
     * @param testSize     the first {@code testSize} test images are evaluated ({@code Integer.MAX_VALUE}: all)
     * @param epochs       passes over the training set, at least 1
     * @param batchSize    samples per Adam step
     * @param learningRate Adam's step size
     * @param seed         seeds the initial weights, the shuffling and the augmentation
     * @param dataDir      the folder with the Fashion-MNIST files
     * @param outputDir    where the files go
     */
    public record Config(int trainSize, int testSize, int epochs, int batchSize, double learningRate, long seed,
                         Path dataDir, Path outputDir) {

        /** Checks the values. */
        public Config {
            if (trainSize < 1 || testSize < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("Augmentation: need trainSize, testSize, epochs and batchSize >= 1 and a"
                        + " positive learning rate, got " + trainSize + ", " + testSize + ", " + epochs + ", " + batchSize
                        + ", " + learningRate);
            }
        }

        /**
         * The defaults (1,000 training images, the whole test set, 100 epochs, batches of 32, Adam 1e-3, seed 42,
         * the data from {@link FashionMnist#defaultDirectory()}, {@link #DEFAULT_OUTPUT}) with the
         * {@code augmentation.*} system properties applied.
         *
         * @return the configuration
         * @throws IllegalArgumentException when a property is not a whole number (at least 1, but for the seed)
         */
        public static Config fromSystemProperties() {
            return new Config(FashionMnistTraining.intProperty(TRAIN_PROPERTY, 1000),
                    FashionMnistTraining.intProperty(TEST_PROPERTY, Integer.MAX_VALUE),
                    FashionMnistTraining.intProperty(EPOCHS_PROPERTY, 100), 32, 1e-3,
                    FashionMnistTraining.longProperty(SEED_PROPERTY, 42L), FashionMnist.defaultDirectory(),
                    DEFAULT_OUTPUT);
        }
    }

    /**
     * One epoch of one run.
     *
     * @param epoch         from 1
     * @param loss          the mean cross-entropy of the epoch's (augmented, for that run) batches
     * @param trainAccuracy the fraction of the training images (as they are) classified right after the epoch
     * @param testAccuracy  the fraction of the test images classified right after the epoch
     * @param seconds       the training time of the epoch (loading and augmenting batches, forward, backward,
     *                      steps; not the evaluation)
     */
    public record Epoch(int epoch, double loss, double trainAccuracy, double testAccuracy, double seconds) {

        /** @return the training accuracy minus the test accuracy */
        public double gap() {
            return trainAccuracy - testAccuracy;
        }
    }

    /**
     * A run's figures.
     *
     * @param name      "no augmentation" or "with augmentation"
     * @param transform the augmentation, or null
     * @param epochs    each epoch's figures
     */
    public record Run(String name, Transform transform, List<Epoch> epochs) {

        /** @return the last epoch */
        public Epoch last() {
            return epochs.get(epochs.size() - 1);
        }

        /** @return the epoch with the highest test accuracy (the first of equals) */
        public Epoch best() {
            Epoch best = epochs.get(0);
            for (Epoch e : epochs) {
                best = e.testAccuracy() > best.testAccuracy() ? e : best;
            }
            return best;
        }
    }

    /**
     * What the augmentation costs the loader: the milliseconds of one epoch of batches (the fastest of five
     * passes, no training).
     *
     * @param plainMillis     the images as they are
     * @param perBatchMillis  augmented per batch ({@code batchTransform})
     * @param perSampleMillis augmented per sample ({@code transform})
     */
    public record LoaderCost(double plainMillis, double perBatchMillis, double perSampleMillis) {
    }

    /**
     * Both runs and the files.
     *
     * @param plain     the run on the images as they are
     * @param augmented the run with augmentation
     * @param cost      the loader's time per epoch with and without augmentation
     * @param files     the chart, the samples picture and the CSV file
     */
    public record Result(Run plain, Run augmented, LoaderCost cost, List<Path> files) {
    }

    /**
     * The augmentation of the second run: a 28 x 28 crop of the image padded by 2 zeros on every side, then a
     * horizontal flip with probability 0.5.
     *
     * @return the transform
     */
    public static Transform augmentation() {
        return Transforms.compose(Transforms.randomCrop(FashionMnist.SIDE, 2), Transforms.randomHorizontalFlip(0.5));
    }

    /**
     * Runs with the system properties' configuration; without the data prints how to get it and exits with
     * status 2, with a damaged file prints what is wrong and exits with status 1.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try {
            run(Config.fromSystemProperties(), System.out);
        } catch (DatasetNotFoundException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (IdxFormatException | UncheckedIOException e) {
            System.err.println("Augmentation failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Trains both runs, prints the table and the summary, and writes the files.
     *
     * @param config what to run
     * @param out    where to print
     * @return the figures and the files
     * @throws DatasetNotFoundException when the Fashion-MNIST files are not in {@code config.dataDir()}
     */
    public static Result run(Config config, PrintStream out) {
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN, config.dataDir()).first(config.trainSize());
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, config.dataDir()).first(config.testSize());
        Transform augment = augmentation();
        out.printf(Locale.ROOT, "Augmentation: the Fashion-MNIST CNN (conv16-conv32-linear, FLOAT32, Adam %s, batch %d)"
                        + " on the first %,d training images for %d epochs, evaluated on %,d test images after each epoch;"
                        + " once without augmentation and once with %s per batch; same initial weights and batch"
                        + " order (seed %d)%n", config.learningRate(), config.batchSize(), train.size(), config.epochs(),
                test.size(), augment, config.seed());
        LoaderCost cost = loaderCost(train, augment, config);
        out.printf(Locale.ROOT, "one epoch of batches from the loader, without training (fastest of %d passes): %.1f ms"
                        + " as they are, %.1f ms augmented per batch, %.1f ms augmented per sample%n", PASSES,
                cost.plainMillis(), cost.perBatchMillis(), cost.perSampleMillis());
        Run plain = train("no augmentation", null, train, test, config, out);
        Run augmented = train("with augmentation", augment, train, test, config, out);

        out.println();
        out.print(table(plain, augmented));
        out.println();
        out.print(summary(plain, augmented));

        Path dir = ExampleFiles.prepare(config.outputDir());
        List<Path> files = List.of(drawChart(plain, augmented, train.size(), test.size(), dir.resolve(CHART_FILE)),
                drawGap(plain, augmented, train.size(), dir.resolve(GAP_FILE)),
                drawSamples(train, augment, config.seed(), dir.resolve(SAMPLES_FILE)),
                ExampleFiles.writeText(dir.resolve(CSV_FILE), csv(plain, augmented)));
        for (Path file : files) {
            out.println("wrote " + file);
        }
        return new Result(plain, augmented, cost, files);
    }

    /**
     * Times an epoch of the loader without augmentation, with it per batch and with it per sample: the three
     * interleaved, five passes each (the first ones warm the JIT up), the fastest pass of each.
     */
    static LoaderCost loaderCost(FashionMnist train, Transform augment, Config config) {
        DataLoader[] loaders = new DataLoader[3];
        for (int mode = 0; mode < 3; mode++) {
            DataLoader.Builder builder = DataLoader.builder(train).batchSize(config.batchSize()).shuffle(config.seed());
            if (mode == 1) {
                builder.batchTransform(augment);
            } else if (mode == 2) {
                builder.transform(augment);
            }
            loaders[mode] = builder.build();
        }
        double[] millis = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (int pass = 0; pass < PASSES; pass++) {
            for (int mode = 0; mode < 3; mode++) {
                DataLoader loader = loaders[mode];
                long start = System.nanoTime();
                long samples = 0;
                for (Batch batch : loader) {
                    samples += batch.size();
                }
                millis[mode] = Math.min(millis[mode], (System.nanoTime() - start) / 1e6);
                if (samples != train.size()) {
                    throw new IllegalStateException("the loader gave " + samples + " samples of " + train.size());
                }
            }
        }
        return new LoaderCost(millis[0], millis[1], millis[2]);
    }

    /** One run: the CNN from the seed's weights, the seed's batch order, {@code transform} per batch if any. */
    private static Run train(String name, Transform transform, FashionMnist train, FashionMnist test, Config config,
                             PrintStream out) {
        Module model = FashionMnistCnn.model(new Random(config.seed()));
        model.to(DType.FLOAT32);
        Adam optimizer = new Adam(model.parameters(), config.learningRate());
        DataLoader.Builder builder = DataLoader.builder(train).batchSize(config.batchSize()).shuffle(config.seed());
        if (transform != null) {
            builder.batchTransform(transform);
        }
        DataLoader loader = builder.build();
        List<Epoch> epochs = new ArrayList<>();
        int every = Math.max(1, config.epochs() / 8);
        for (int e = 1; e <= config.epochs(); e++) {
            model.train();
            long start = System.nanoTime();
            double total = 0;
            int seen = 0;
            for (Batch batch : loader) {
                int[] targets = batch.targetsAsInts();
                optimizer.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(batch.features()), targets);
                loss.backward();
                optimizer.step();
                total += loss.item() * targets.length;
                seen += targets.length;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long evalStart = System.nanoTime();
            Epoch epoch = new Epoch(e, total / seen, FashionMnistTraining.accuracy(FashionMnistTraining.confusion(model, train)),
                    FashionMnistTraining.accuracy(FashionMnistTraining.confusion(model, test)), seconds);
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            epochs.add(epoch);
            if (e == 1 || e % every == 0 || e == config.epochs()) {
                out.printf(Locale.ROOT, "%-17s epoch %3d/%d: loss %.4f, train %6.2f%%, test %6.2f%%, gap %5.2f points"
                                + " (%.2f s training, %.2f s evaluating)%n", name, e, config.epochs(), epoch.loss(),
                        100 * epoch.trainAccuracy(), 100 * epoch.testAccuracy(), 100 * epoch.gap(), seconds, evalSeconds);
            }
        }
        return new Run(name, transform, List.copyOf(epochs));
    }

    /** The per-epoch table of both runs, side by side. */
    static String table(Run plain, Run augmented) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%5s | %-36s | %-36s%n", "", "no augmentation", "with augmentation"));
        s.append(String.format(Locale.ROOT, "%5s | %7s %8s %8s %8s | %7s %8s %8s %8s%n", "epoch", "loss", "train", "test",
                "gap", "loss", "train", "test", "gap"));
        s.append("-".repeat(5)).append("-+-").append("-".repeat(36)).append("-+-").append("-".repeat(36)).append('\n');
        for (int i = 0; i < plain.epochs().size(); i++) {
            Epoch p = plain.epochs().get(i);
            Epoch a = augmented.epochs().get(i);
            s.append(String.format(Locale.ROOT, "%5d | %7.4f %7.2f%% %7.2f%% %8.2f | %7.4f %7.2f%% %7.2f%% %8.2f%n",
                    p.epoch(), p.loss(), 100 * p.trainAccuracy(), 100 * p.testAccuracy(), 100 * p.gap(), a.loss(),
                    100 * a.trainAccuracy(), 100 * a.testAccuracy(), 100 * a.gap()));
        }
        s.append("(accuracies in %; the gap, train minus test, in percentage points; the loss is that of the epoch's"
                + " training batches, augmented in the second run)\n");
        return s.toString();
    }

    /** The last epoch, the best test epoch and the mean times of both runs. */
    static String summary(Run plain, Run augmented) {
        StringBuilder s = new StringBuilder();
        for (Run r : List.of(plain, augmented)) {
            Epoch last = r.last();
            Epoch best = r.best();
            double mean = r.epochs().stream().mapToDouble(Epoch::seconds).average().orElse(0);
            s.append(String.format(Locale.ROOT, "%-17s: after epoch %d train %.2f%%, test %.2f%%, gap %.2f points;"
                            + " best test %.2f%% (epoch %d); %.2f s of training per epoch%n", r.name(), last.epoch(),
                    100 * last.trainAccuracy(), 100 * last.testAccuracy(), 100 * last.gap(), 100 * best.testAccuracy(),
                    best.epoch(), mean));
        }
        s.append(String.format(Locale.ROOT, "augmentation changed the final test accuracy by %+.2f points and the final"
                        + " train/test gap from %.2f to %.2f points%n", 100 * (augmented.last().testAccuracy()
                        - plain.last().testAccuracy()), 100 * plain.last().gap(), 100 * augmented.last().gap()));
        return s.toString();
    }

    /** The table as CSV: one row per run and epoch, accuracies as fractions. */
    static String csv(Run plain, Run augmented) {
        StringBuilder s = new StringBuilder("run,epoch,loss,train_accuracy,test_accuracy,gap,train_seconds\n");
        for (Run r : List.of(plain, augmented)) {
            String name = r.transform() == null ? "none" : "augmented";
            for (Epoch e : r.epochs()) {
                s.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%.6f,%.6f,%.4f%n", name, e.epoch(), e.loss(),
                        e.trainAccuracy(), e.testAccuracy(), e.gap(), e.seconds()));
            }
        }
        return s.toString();
    }

    /**
     * The train/test gap (training accuracy minus test accuracy, in points) per epoch, blue without and red with
     * augmentation: the overfitting that augmentation is meant to shrink, as one line per run.
     */
    static Path drawGap(Run plain, Run augmented, int trainSize, Path file) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Overfitting on %,d images: training minus test accuracy", trainSize),
                "epoch", "train/test gap (percentage points)", false);
        for (Run r : List.of(plain, augmented)) {
            Color colour = r.transform() == null ? PLAIN_COLOUR : AUGMENTED_COLOUR;
            double[] x = r.epochs().stream().mapToDouble(Epoch::epoch).toArray();
            double[] gap = r.epochs().stream().mapToDouble(e -> 100 * e.gap()).toArray();
            XYSeries line = Charts.addLine(chart, String.format(Locale.ROOT, "%s: %.1f points after epoch %d", r.name(),
                    100 * r.last().gap(), r.last().epoch()), x, gap);
            line.setLineColor(colour);
            line.setMarkerColor(colour);
        }
        labelEpochs(chart, plain.epochs().size());
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
        return Charts.savePng(chart, file);
    }

    /** XChart puts a tick at every epoch; label only every 1st, 5th or 10th so that 100 epochs stay legible. */
    private static void labelEpochs(XYChart chart, int epochs) {
        long step = epochs <= 20 ? 1 : epochs <= 50 ? 5 : 10;
        chart.setCustomXAxisTickLabelsFormatter(v -> v == Math.rint(v) && Math.round(v) % step == 0
                ? Long.toString(Math.round(v)) : "");
        chart.getStyler().setXAxisMin(0.0);
    }

    /** Training (dashed) and test (solid) accuracy per epoch, blue without and red with augmentation. */
    static Path drawChart(Run plain, Run augmented, int trainSize, int testSize, Path file) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Fashion-MNIST CNN trained on %,d images, with and without augmentation", trainSize),
                "epoch", "accuracy (%)", false);
        double lowest = 100;
        for (Run r : List.of(plain, augmented)) {
            Color colour = r.transform() == null ? PLAIN_COLOUR : AUGMENTED_COLOUR;
            double[] x = r.epochs().stream().mapToDouble(Epoch::epoch).toArray();
            double[] train = r.epochs().stream().mapToDouble(e -> 100 * e.trainAccuracy()).toArray();
            double[] test = r.epochs().stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray();
            XYSeries trainLine = Charts.addLine(chart, "training images, " + r.name(), x, train);
            XYSeries testLine = Charts.addLine(chart, String.format(Locale.ROOT, "%,d test images, %s", testSize, r.name()),
                    x, test);
            for (XYSeries s : new XYSeries[] {trainLine, testLine}) {
                s.setLineColor(colour);
                s.setMarkerColor(colour);
            }
            trainLine.setLineStyle(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {8f, 5f}, 0f));
            for (int i = 0; i < x.length; i++) {
                lowest = Math.min(lowest, Math.min(train[i], test[i]));
            }
        }
        chart.getStyler().setYAxisMin(Math.max(0, Math.floor((lowest - 2) / 5) * 5));
        chart.getStyler().setYAxisMax(100.0);
        labelEpochs(chart, plain.epochs().size());
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
        return Charts.savePng(chart, file);
    }

    /**
     * One training image of each class (the first of it in the training set) and, below, what the augmentation
     * made of it in epochs 1 to {@link #SAMPLE_EPOCHS} of the run: the same keys as the loader's.
     */
    static Path drawSamples(FashionMnist train, Transform augment, long seed, Path file) {
        List<String> names = FashionMnist.CLASS_NAMES;
        List<Integer> picked = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            for (int i = 0; i < train.size(); i++) {
                if (train.label(i) == c) {
                    picked.add(i);
                    labels.add(names.get(c));
                    break;
                }
            }
        }
        int[] indices = picked.stream().mapToInt(Integer::intValue).toArray();
        int side = FashionMnist.SIDE;
        int scale = 4;
        int tile = side * scale;
        int gap = 14;
        int left = 120;
        int top = 96;
        int rowHeight = tile + gap;
        int width = left + indices.length * (tile + gap) + 10;
        int height = top + (SAMPLE_EPOCHS + 1) * rowHeight + 40;
        List<float[]> rows = new ArrayList<>();
        try (var scope = Autograd.noGrad()) {
            Tensor originals = train.images().indexSelect(0, indices);
            rows.add(originals.toFloatArray());
            for (int e = 0; e < SAMPLE_EPOCHS; e++) {
                rows.add(augment.apply(originals, Transforms.sampleKeys(seed, e, indices)).toFloatArray());
            }
        }
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            Charts.centered(g, "Augmented training images: " + augment, width / 2, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            Charts.centered(g, "top row: the images as they are; below: what the loader fed the network in epochs 1 to "
                    + SAMPLE_EPOCHS + " (zero padding shows as black)", width / 2, 54);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int j = 0; j < indices.length; j++) {
                Charts.centered(g, labels.get(j), left + j * (tile + gap) + tile / 2, top - 8);
            }
            for (int r = 0; r < rows.size(); r++) {
                int y0 = top + r * rowHeight;
                g.setColor(Color.BLACK);
                g.drawString(r == 0 ? "original" : "epoch " + r, 14, y0 + tile / 2 + 5);
                float[] pixels = rows.get(r);
                for (int j = 0; j < indices.length; j++) {
                    int x0 = left + j * (tile + gap);
                    for (int y = 0; y < side; y++) {
                        for (int x = 0; x < side; x++) {
                            float v = pixels[(j * side + y) * side + x];
                            int grey = (int) Math.round(255 * Math.max(0, Math.min(1, v)));
                            g.setColor(new Color(grey, grey, grey));
                            g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                        }
                    }
                    g.setColor(new Color(0x9E9E9E));
                    g.drawRect(x0 - 1, y0 - 1, tile + 1, tile + 1);
                }
            }
        } finally {
            g.dispose();
        }
        return Charts.savePng(image, file);
    }
}
