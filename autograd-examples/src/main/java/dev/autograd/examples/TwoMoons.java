package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.SafeTensors;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.awt.Color;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's first example: a {@code 2 -> 16 -> 16 -> 1} tanh MLP from autograd-nn learns to separate
 * the two-moons data set with Adam on mini-batches, logs its progress, prints the final training accuracy,
 * saves the trained model as {@code out/two-moons/two-moons.safetensors} and checks that the saved file,
 * loaded into a fresh model, gives the same predictions. It draws the learned decision boundary over the
 * data ({@code decision-boundary.png}) and the loss per epoch ({@code loss-curve.png}) in the same folder.
 *
 * <p>Run it with {@code ./mvnw -q -pl autograd-examples -am compile exec:java}. It exits with status 1 when
 * the accuracy is below 95% or the reloaded model disagrees. {@link TwoMoonsCore} trains the same kind of
 * network from core ops alone.
 */
public final class TwoMoons {

    private static final Logger LOG = LoggerFactory.getLogger(TwoMoons.class);

    /** The accuracy the program insists on. */
    public static final double REQUIRED_ACCURACY = 0.95;

    /** The file name of the decision-boundary picture, in the output folder. */
    public static final String DECISION_BOUNDARY_FILE = "decision-boundary.png";

    /** The file name of the loss-curve picture, in the output folder. */
    public static final String LOSS_CURVE_FILE = "loss-curve.png";

    private TwoMoons() {
    }

    /**
     * What to train.
     *
     * @param samples      points in the data set (half per moon), at least 2
     * @param epochs       passes over the data, at least 1
     * @param batchSize    points per optimizer step, at least 1
     * @param learningRate Adam's step size
     * @param seed         seeds the data, the initial weights and the shuffling
     * @param outputDir    where the model file goes
     */
    public record Config(int samples, int epochs, int batchSize, double learningRate, long seed, Path outputDir) {

        /** Checks the values. */
        public Config {
            if (samples < 2 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("TwoMoons: need samples >= 2, epochs >= 1, batchSize >= 1 and a"
                        + " positive learning rate, got " + samples + ", " + epochs + ", " + batchSize + ", " + learningRate);
            }
        }

        /**
         * The defaults the README command runs: 400 points, 60 epochs of batches of 32, lr 0.01, seed 42.
         *
         * @return the default configuration, writing to {@code out/two-moons}
         */
        public static Config defaults() {
            return new Config(400, 60, 32, 0.01, 42L, Path.of("out", "two-moons"));
        }
    }

    /**
     * What training produced.
     *
     * @param accuracy       final training accuracy in [0, 1]
     * @param lossPerEpoch   mean mini-batch loss of each epoch, in order
     * @param modelFile      the saved model
     * @param reloadAgrees   whether the model loaded from {@code modelFile} predicts exactly the same logits
     * @param model          the trained model
     * @param data           the data set it was trained on
     */
    public record Result(double accuracy, List<Double> lossPerEpoch, Path modelFile, boolean reloadAgrees, MLP model,
                         TwoMoonsCore.Dataset data) {
    }

    /**
     * Runs the default configuration.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Result result = train(Config.defaults());
        System.out.printf(Locale.ROOT, "final training accuracy: %.1f%%%n", 100 * result.accuracy());
        System.out.println("model saved to " + result.modelFile().toAbsolutePath());
        System.out.println("reloaded model gives the same predictions: " + result.reloadAgrees());
        Path dir = result.modelFile().toAbsolutePath().getParent();
        System.out.println("decision boundary drawn in " + dir.resolve(DECISION_BOUNDARY_FILE));
        System.out.println("loss curve drawn in " + dir.resolve(LOSS_CURVE_FILE));
        if (result.accuracy() < REQUIRED_ACCURACY || !result.reloadAgrees()) {
            System.exit(1);
        }
    }

    /**
     * Trains, saves and reloads the model.
     *
     * @param config what to train
     * @return the accuracy, the loss curve and where the model went
     */
    public static Result train(Config config) {
        // region training (shown in the README, which a test keeps equal to this region)
        Random random = new Random(config.seed());
        TwoMoonsCore.Dataset data = TwoMoonsCore.moons(config.samples(), config.seed());
        Tensor x = data.points();
        // Binary cross-entropy wants targets in {0, 1}; the data set labels the moons +1 and -1.
        Tensor y = data.labels().add(1).div(2);

        MLP model = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(random);
        DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(config.batchSize())
                .shuffle(config.seed()).build();
        Optimizer optimizer = new Adam(model.parameters(), config.learningRate());
        LOG.info("model:\n{}", model);

        List<Double> losses = new ArrayList<>();
        int logEvery = Math.max(1, config.epochs() / 10);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            double total = 0;
            int batches = 0;
            for (Batch batch : loader) {
                optimizer.zeroGrad();
                Tensor loss = Losses.binaryCrossEntropyWithLogits(model.forward(batch.features()), batch.targets());
                loss.backward();
                optimizer.step();
                total += loss.item();
                batches++;
            }
            losses.add(total / batches);
            if (epoch == 1 || epoch % logEvery == 0 || epoch == config.epochs()) {
                LOG.info("epoch {}/{}: loss {}, accuracy {}", epoch, config.epochs(),
                        String.format(Locale.ROOT, "%.4f", total / batches), percent(accuracy(model, x, y)));
            }
        }

        model.eval();
        double accuracy = accuracy(model, x, y);
        Path file = config.outputDir().resolve("two-moons.safetensors");
        try {
            Files.createDirectories(config.outputDir());
        } catch (IOException e) {
            throw new UncheckedIOException("TwoMoons: cannot create " + config.outputDir(), e);
        }
        SafeTensors.save(model, file);
        // endregion
        LOG.info("saved {} parameters to {}", model.parameterCount(), file.toAbsolutePath());
        Path boundary = drawDecisionBoundary(model, data, config.outputDir().resolve(DECISION_BOUNDARY_FILE));
        Path curve = drawLossCurve(losses, config.outputDir().resolve(LOSS_CURVE_FILE));
        LOG.info("drew {} and {}", boundary.toAbsolutePath(), curve.toAbsolutePath());

        // A fresh model with other random weights, then the saved ones: predictions must be identical.
        MLP reloaded = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(new Random(config.seed() + 1));
        SafeTensors.load(reloaded, file);
        reloaded.eval();
        boolean agrees;
        try (var scope = Autograd.noGrad()) {
            agrees = Arrays.equals(model.forward(x).toDoubleArray(), reloaded.forward(x).toDoubleArray());
        }
        return new Result(accuracy, List.copyOf(losses), file, agrees, model, data);
    }

    /**
     * The fraction of points whose logit has the sign of their label.
     *
     * @param model the classifier
     * @param x     points {@code [n, 2]}
     * @param y     labels in {0, 1}, {@code [n, 1]}
     * @return the accuracy in [0, 1]
     */
    public static double accuracy(MLP model, Tensor x, Tensor y) {
        try (var scope = Autograd.noGrad()) {
            Tensor predicted = model.forward(x).gt(0);
            return predicted.eq(y).mean().item();
        }
    }

    /**
     * Draws the classifier's decision regions (where its logit is positive or negative), its decision
     * boundary (logit = 0, traced by marching squares over a grid) and the data points, as a PNG file.
     *
     * @param model the trained classifier, mapping {@code [n, 2]} points to {@code [n, 1]} logits
     * @param data  the points and their {@code +1}/{@code -1} labels
     * @param file  the PNG file to write (parent folders are created)
     * @return {@code file}
     */
    public static Path drawDecisionBoundary(MLP model, TwoMoonsCore.Dataset data, Path file) {
        double[] p = data.points().toDoubleArray();
        double[] labels = data.labels().toDoubleArray();
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < labels.length; i++) {
            minX = Math.min(minX, p[2 * i]);
            maxX = Math.max(maxX, p[2 * i]);
            minY = Math.min(minY, p[2 * i + 1]);
            maxY = Math.max(maxY, p[2 * i + 1]);
        }
        minX -= 0.4;
        maxX += 0.4;
        minY -= 0.4;
        maxY += 0.4;
        // Grid cells about as large as the markers that paint them, so the regions look filled.
        int nx = 125;
        int ny = (int) Math.round(nx * (maxY - minY) / (maxX - minX) * 1.4);
        double[] grid = new double[nx * ny * 2];
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                grid[2 * (j * nx + i)] = minX + (maxX - minX) * i / (nx - 1);
                grid[2 * (j * nx + i) + 1] = minY + (maxY - minY) * j / (ny - 1);
            }
        }
        double[] logits;
        try (var scope = Autograd.noGrad()) {
            logits = model.forward(Tensor.of(grid, nx * ny, 2)).toDoubleArray();
        }
        XYChart chart = Charts.scatterChart("Two moons: the learned decision boundary", "x1", "x2");
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setXAxisMin(minX).setXAxisMax(maxX).setYAxisMin(minY).setYAxisMax(maxY);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        chart.getStyler().setYAxisDecimalPattern("0.0");
        for (boolean upper : new boolean[] {true, false}) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < nx * ny; k++) {
                if ((logits[k] > 0) == upper) {
                    xs.add(grid[2 * k]);
                    ys.add(grid[2 * k + 1]);
                }
            }
            if (!xs.isEmpty()) {
                Charts.addPoints(chart, upper ? "predicted upper moon" : "predicted lower moon", unbox(xs), unbox(ys),
                        SeriesMarkers.SQUARE, upper ? new Color(0xD6E6F5) : new Color(0xF8D9D5));
            }
        }
        // Marching squares: in each grid cell, join the points where the logit crosses 0 along its edges.
        int segments = 0;
        for (int j = 0; j + 1 < ny; j++) {
            for (int i = 0; i + 1 < nx; i++) {
                double[] corner = {logits[j * nx + i], logits[j * nx + i + 1], logits[(j + 1) * nx + i + 1],
                        logits[(j + 1) * nx + i]};
                double[][] xy = {grid(grid, nx, i, j), grid(grid, nx, i + 1, j), grid(grid, nx, i + 1, j + 1),
                        grid(grid, nx, i, j + 1)};
                List<double[]> crossings = new ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    double a = corner[e];
                    double b = corner[(e + 1) % 4];
                    if ((a > 0) != (b > 0)) {
                        double t = a / (a - b);
                        crossings.add(new double[] {xy[e][0] + t * (xy[(e + 1) % 4][0] - xy[e][0]),
                                xy[e][1] + t * (xy[(e + 1) % 4][1] - xy[e][1])});
                    }
                }
                for (int c = 0; c + 1 < crossings.size(); c += 2) {
                    XYSeries line = chart.addSeries(segments == 0 ? "decision boundary (logit = 0)" : "segment " + segments,
                            new double[] {crossings.get(c)[0], crossings.get(c + 1)[0]},
                            new double[] {crossings.get(c)[1], crossings.get(c + 1)[1]});
                    line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    line.setMarker(SeriesMarkers.NONE);
                    line.setLineColor(Color.BLACK);
                    line.setLineWidth(2f);
                    line.setShowInLegend(segments == 0);
                    segments++;
                }
            }
        }
        for (boolean upper : new boolean[] {true, false}) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < labels.length; k++) {
                if ((labels[k] > 0) == upper) {
                    xs.add(p[2 * k]);
                    ys.add(p[2 * k + 1]);
                }
            }
            Charts.addPoints(chart, upper ? "upper moon (label 1)" : "lower moon (label 0)", unbox(xs), unbox(ys),
                    upper ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND, upper ? new Color(0x1F4E9A) : new Color(0xB22222));
        }
        return Charts.savePng(chart, file);
    }

    /**
     * Draws the mean training loss of each epoch (log scale) as a PNG file.
     *
     * @param lossPerEpoch the loss of each epoch, in order
     * @param file         the PNG file to write (parent folders are created)
     * @return {@code file}
     */
    public static Path drawLossCurve(List<Double> lossPerEpoch, Path file) {
        XYChart chart = Charts.lineChart("Two moons: training loss per epoch", "epoch",
                "mean binary cross-entropy (log scale)", true);
        double[] epochs = new double[lossPerEpoch.size()];
        double[] values = new double[lossPerEpoch.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
            values[i] = lossPerEpoch.get(i);
        }
        XYSeries series = Charts.addLine(chart, "training loss (Adam, mini-batches)", epochs, values);
        if (series != null) {
            series.setLineColor(new Color(0x1F77B4));
            series.setMarkerColor(new Color(0x1F77B4));
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return Charts.savePng(chart, file);
    }

    private static double[] grid(double[] grid, int nx, int i, int j) {
        return new double[] {grid[2 * (j * nx + i)], grid[2 * (j * nx + i) + 1]};
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
