package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Init;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.ReLU;
import dev.autograd.nn.Sequential;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.optim.Adam;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Why initialisation matters: the same deep network (15 linear layers of width 64) trained on the same
 * two-moons data with the same optimizer (full-batch Adam) from six initialisations, tanh and ReLU each with
 * weights too small ({@code N(0, 0.01^2)}), textbook (Xavier with tanh's gain 5/3, He/Kaiming for ReLU) and
 * too large ({@code N(0, 1)}); biases zero.
 *
 * <p>At initialisation each layer multiplies the spread of its input by about {@code std(W) sqrt(fanIn)} (times
 * the activation's slope): {@code 0.01 * 8 = 0.08} for the small weights, so after 14 layers the signal is
 * {@code 0.08^14 ~ 1e-15} of the input and the output is the same constant for every point; the gradients
 * reaching the early layers shrink the same way, and the loss stays at {@code ln 2}. Weights of standard
 * deviation 1 multiply it by 8: ReLU's activations explode, tanh's pin at +-1, where its slope is 0. Xavier and He
 * choose the standard deviation that keeps the factor near 1, so the signal reaches the output and the gradient
 * the input. The program prints each layer's activation standard deviation at initialisation
 * ({@code activation-std.png}) and the training loss ({@code loss.png}, log scale) with the final accuracy.
 * {@link VanishingGradients} shows the per-layer gradient norms of the same effect.
 *
 * <p>Files go to {@code out/initialization/}. Run:
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.InitializationMatters}
 */
public final class InitializationMatters {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "initialization");

    /** The initialisations compared, in the order of the tables and legends. */
    public enum Variant {
        /** tanh, weights {@code N(0, 0.01^2)}: the signal vanishes. */
        TANH_SMALL("tanh, N(0, 0.01\u00b2)", false, new Color(0xD62728)),
        /** tanh, Xavier normal with gain 5/3. */
        TANH_XAVIER("tanh, Xavier (gain 5/3)", false, new Color(0x2CA02C)),
        /** tanh, weights {@code N(0, 1)}: every unit saturates. */
        TANH_LARGE("tanh, N(0, 1)", false, new Color(0xFF7F0E)),
        /** ReLU, weights {@code N(0, 0.01^2)}: the signal vanishes. */
        RELU_SMALL("ReLU, N(0, 0.01\u00b2)", true, new Color(0x9E1B1B)),
        /** ReLU, He/Kaiming normal. */
        RELU_HE("ReLU, He (Kaiming normal)", true, new Color(0x1F77B4)),
        /** ReLU, weights {@code N(0, 1)}: the signal explodes. */
        RELU_LARGE("ReLU, N(0, 1)", true, new Color(0x8C564B));

        private final String label;
        private final boolean relu;
        private final Color colour;

        Variant(String label, boolean relu, Color colour) {
            this.label = label;
            this.relu = relu;
            this.colour = colour;
        }

        /** @return the name in tables and legends */
        public String label() {
            return label;
        }
    }

    /**
     * The sizes.
     *
     * @param depth        linear layers, at least 2 (depth - 1 hidden layers, each followed by the activation)
     * @param width        units per hidden layer
     * @param samples      two-moons points
     * @param steps        full-batch Adam steps
     * @param learningRate Adam's learning rate
     * @param seed         seeds the data and the weights (every variant draws from the same seed)
     */
    public record Config(int depth, int width, int samples, int steps, double learningRate, long seed) {

        /** Checks the values. */
        public Config {
            if (depth < 2 || width < 1 || samples < 2 || steps < 1 || !(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("InitializationMatters.Config: need depth >= 2, width >= 1,"
                        + " samples >= 2, steps >= 1 and a finite positive learning rate, got " + depth + ", " + width
                        + ", " + samples + ", " + steps + ", " + learningRate);
            }
        }

        /** @return 15 layers of width 64, 256 points, 400 steps of Adam with lr 1e-3, seed 7 */
        public static Config defaults() {
            return new Config(15, 64, 256, 400, 1e-3, 7L);
        }
    }

    /**
     * One variant's measurements.
     *
     * @param variant       the initialisation
     * @param activationStd the standard deviation of each hidden layer's activations at initialisation, input side first
     * @param saturated     the fraction of the last hidden layer's units with {@code |tanh| > 0.99} at initialisation (0 for ReLU)
     * @param firstGradNorm the norm of the first layer's weight gradient at initialisation
     * @param losses        the training loss before each step and after the last (steps + 1 values)
     * @param accuracy      the training accuracy at the end
     */
    public record Run(Variant variant, double[] activationStd, double saturated, double firstGradNorm, double[] losses,
                      double accuracy) {

        /** @return the loss before training */
        public double initialLoss() {
            return losses[0];
        }

        /** @return the loss after the last step */
        public double finalLoss() {
            return losses[losses.length - 1];
        }
    }

    /**
     * Everything measured and written.
     *
     * @param runs  one per {@link Variant}, in its order
     * @param files the PNG files written
     */
    public record Result(List<Run> runs, List<Path> files) {
    }

    /** The top of the loss chart's axis: a diverging start would squeeze every other curve flat. */
    private static final double LOSS_AXIS_MAX = 1e3;

    private InitializationMatters() {
    }

    /**
     * Runs the defaults, writing to {@link #DEFAULT_OUTPUT}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(DEFAULT_OUTPUT, Config.defaults(), System.out);
    }

    /**
     * Trains every variant, prints the tables and draws the charts.
     *
     * @param outputDir where to write; created if needed
     * @param config    the sizes
     * @param out       where to print
     * @return the measurements and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        TwoMoonsCore.Dataset data = TwoMoonsCore.moons(config.samples(), config.seed());
        Tensor x = data.points();
        Tensor y = data.labels().add(1).div(2);
        out.printf(Locale.ROOT, "== A %d-layer network of width %d on %d two-moons points, full-batch Adam (lr %s),"
                + " %d steps, from six initialisations (biases 0)%n", config.depth(), config.width(), config.samples(),
                config.learningRate(), config.steps());
        List<Run> runs = new ArrayList<>();
        for (Variant v : Variant.values()) {
            runs.add(train(v, config, x, y));
        }
        out.print(stdTable(runs));
        out.println();
        out.printf(Locale.ROOT, "%-26s  %12s  %12s  %10s  %12s  %10s  %s%n", "initialisation", "|dL/dW1|",
                "loss at 0", "loss end", "end / start", "accuracy", "saturated (last layer)");
        for (Run r : runs) {
            out.printf(Locale.ROOT, "%-26s  %12.3e  %12.4g  %10.4g  %12.4g  %9.1f%%  %s%n", r.variant().label(),
                    r.firstGradNorm(), r.initialLoss(), r.finalLoss(), r.finalLoss() / r.initialLoss(), 100 * r.accuracy(),
                    r.variant().relu ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.saturated()));
        }
        out.println("|dL/dW1|: norm of the first layer's weight gradient at initialisation; ln 2 = 0.6931 is the loss of"
                + " a constant prediction of 1/2");
        List<Path> files = new ArrayList<>();
        Path std = Charts.savePng(stdChart(runs, config), dir.resolve("activation-std.png"));
        files.add(std);
        out.println("wrote " + std);
        Path loss = Charts.savePng(lossChart(runs, config), dir.resolve("loss.png"));
        files.add(loss);
        out.println("wrote " + loss);
        out.println("files are in " + dir);
        return new Result(List.copyOf(runs), List.copyOf(files));
    }

    private static Run train(Variant v, Config config, Tensor x, Tensor y) {
        Random random = new Random(config.seed() + 1);
        Sequential model = network(v, config, random);
        double[] std = new double[config.depth() - 1];
        double saturated = 0;
        try (var scope = Autograd.noGrad()) {
            Tensor a = x;
            int layer = 0;
            for (Module m : model.layers()) {
                a = m.forward(a);
                if (!(m instanceof Linear)) {
                    std[layer++] = a.std(0, false, 0).mean().item();
                    saturated = a.abs().gt(0.99).mean().item();
                }
            }
        }
        Adam adam = new Adam(model.parameters(), config.learningRate());
        double[] losses = new double[config.steps() + 1];
        double firstGradNorm = 0;
        for (int step = 0; step <= config.steps(); step++) {
            adam.zeroGrad();
            Tensor loss = Losses.binaryCrossEntropyWithLogits(model.forward(x), y);
            losses[step] = loss.item();
            if (step == config.steps()) {
                break;
            }
            loss.backward();
            if (step == 0) {
                Tensor g = ((Linear) model.get(0)).weight().grad();
                firstGradNorm = Math.sqrt(g.mul(g).sum().item());
            }
            adam.step();
        }
        double accuracy;
        try (var scope = Autograd.noGrad()) {
            accuracy = model.forward(x).gt(0).eq(y).mean().item();
        }
        return new Run(v, std, v.relu ? 0 : saturated, firstGradNorm, losses, accuracy);
    }

    /** Linear(2, width), act, (depth - 2) x [Linear(width, width), act], Linear(width, 1), initialised as the variant says. */
    private static Sequential network(Variant v, Config c, Random random) {
        Sequential s = new Sequential();
        for (int i = 0; i < c.depth(); i++) {
            Linear l = new Linear(i == 0 ? 2 : c.width(), i == c.depth() - 1 ? 1 : c.width(), random);
            switch (v) {
                case TANH_SMALL, RELU_SMALL -> Init.normal(l.weight(), 0, 0.01, random);
                case TANH_LARGE, RELU_LARGE -> Init.normal(l.weight(), 0, 1, random);
                case TANH_XAVIER -> Init.xavierNormal(l.weight(), Init.gain(Init.Nonlinearity.TANH, 0), random);
                case RELU_HE -> Init.kaimingNormal(l.weight(), random);
            }
            Init.zeros(l.bias());
            s.add(l);
            if (i < c.depth() - 1) {
                s.add(v.relu ? new ReLU() : new Tanh());
            }
        }
        return s;
    }

    private static String stdTable(List<Run> runs) {
        StringBuilder sb = new StringBuilder("standard deviation of each hidden layer's activations at initialisation"
                + " (averaged over units):\n");
        sb.append(String.format(Locale.ROOT, "%-6s", "layer"));
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "  %26s", r.variant().label()));
        }
        sb.append('\n');
        int layers = runs.get(0).activationStd().length;
        for (int i = 0; i < layers; i++) {
            sb.append(String.format(Locale.ROOT, "%-6d", i + 1));
            for (Run r : runs) {
                sb.append(String.format(Locale.ROOT, "  %26.3e", r.activationStd()[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static XYChart stdChart(List<Run> runs, Config config) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Activation std per layer at init (%d layers, width %d)", config.depth(),
                        config.width()), "hidden layer (1 = next to the input)",
                "standard deviation of the activations (log scale)", true);
        for (Run r : runs) {
            double[] layer = new double[r.activationStd().length];
            for (int i = 0; i < layer.length; i++) {
                layer[i] = i + 1;
            }
            // A saturated tanh has a healthy-looking spread of +-1 and a slope of 0: say how many units are there.
            String name = r.variant().label() + (r.variant().relu ? "" : String.format(Locale.ROOT,
                    ", %.0f%% of layer %d at |a| > 0.99", 100 * r.saturated(), layer.length));
            style(Charts.addLine(chart, name, layer, r.activationStd()), r.variant());
        }
        layout(chart);
        // 28 decades: the log axis's minor grid lines would pile up into grey bands.
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }

    private static XYChart lossChart(List<Run> runs, Config config) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Training loss, same %d-layer network and data, Adam (lr %s)", config.depth(),
                        config.learningRate()), "step", "binary cross-entropy (log scale)", true);
        for (Run r : runs) {
            double[] steps = new double[r.losses().length];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = i;
            }
            int zeroAt = -1;
            for (int i = 0; i < r.losses().length && zeroAt < 0; i++) {
                zeroAt = r.losses()[i] == 0 ? i : -1;
            }
            // A loss of exactly 0 (every logit beyond e^-745 of its label) has no place on a log axis: say where it ends.
            String name = String.format(Locale.ROOT, "%s: %.1f%% accuracy", r.variant().label(), 100 * r.accuracy())
                    + (r.initialLoss() > LOSS_AXIS_MAX ? String.format(Locale.ROOT, ", starts at %.1e (off the top)",
                    r.initialLoss()) : "") + (zeroAt >= 0 ? ", loss 0 at step " + zeroAt : "");
            style(Charts.addLine(chart, name, steps, r.losses()), r.variant());
        }
        layout(chart);
        chart.getStyler().setYAxisMax(LOSS_AXIS_MAX);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) config.steps());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    /** One legend entry a line (six do not fit in a row); horizontal grid lines only, whole-number x. */
    private static void layout(XYChart chart) {
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
    }

    /** The variant's colour; ReLU dashed, tanh solid. */
    private static void style(XYSeries series, Variant v) {
        if (series == null) {
            return;
        }
        series.setLineColor(v.colour);
        series.setMarkerColor(v.colour);
        if (v.relu) {
            series.setLineStyle(new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {9f, 5f}, 0f));
        }
    }
}
