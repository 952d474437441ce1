package dev.autograd.examples;

import dev.autograd.Tensor;
import dev.autograd.nn.GradClip;
import dev.autograd.nn.GradientMonitor;
import dev.autograd.nn.GradientMonitor.Kind;
import dev.autograd.nn.GradientMonitor.LayerStats;
import dev.autograd.nn.GradientMonitor.StepRecord;
import dev.autograd.nn.GradientMonitor.Warning;
import dev.autograd.nn.Init;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.ReLU;
import dev.autograd.nn.Residual;
import dev.autograd.nn.Sequential;
import dev.autograd.nn.Sigmoid;
import dev.autograd.nn.optim.SGD;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.knowm.xchart.XYChart;

/**
 * Vanishing and exploding gradients, measured with {@link GradientMonitor} and drawn.
 *
 * <p><b>Vanishing.</b> Three 10-layer networks on the same data, at initialisation: sigmoid activations
 * (Xavier init), ReLU (Kaiming init), and sigmoid with a residual connection around each hidden layer. Their
 * per-layer gradient norms are printed as a table and drawn on a log scale ({@code vanishing-gradients.png}):
 * the sigmoid network's gradient shrinks by a factor of about 4 to 10 per layer on its way back to the input,
 * since {@code sigmoid'(z) <= 1/4}; ReLU's derivative is 1 where the unit is on, and a residual connection
 * {@code x + f(x)} passes the gradient through its {@code +} unchanged.
 *
 * <p><b>Exploding.</b> A 10-layer ReLU network with somewhat large weights (standard deviation 0.3, where
 * Kaiming's is {@code sqrt(2/32) = 0.25}) trained by SGD with a learning rate too large for it (0.1): the
 * first step overshoots, the next gradient is larger, the weights grow, and within a few steps the gradient
 * norm passes 10^7 and the loss becomes NaN. The monitor flags the large updates and then the exploding
 * gradients. The same network with {@link GradClip#clipGradNorm} to norm 1 before each step (same learning
 * rate) trains. The table shows the gradient norm before and after clipping, and
 * {@code exploding-gradients.png} draws both loss curves.
 *
 * <p>Files go to {@code out/vanishing-gradients/}. Run:
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.VanishingGradients}
 */
public final class VanishingGradients {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "vanishing-gradients");

    /** The variants compared at initialisation, in the order of the table's columns. */
    public static final List<String> VARIANTS = List.of("sigmoid", "ReLU", "sigmoid + residual");

    private VanishingGradients() {
    }

    /**
     * The sizes.
     *
     * @param depth        Linear layers per network, at least 3
     * @param width        units per hidden layer
     * @param samples      rows of the data
     * @param steps        training steps of the exploding part
     * @param learningRate SGD's step size in the exploding part
     * @param initStd      standard deviation of the exploding network's weights
     * @param maxNorm      the gradient norm {@link GradClip#clipGradNorm} clips to
     * @param seed         seeds data and weights
     */
    public record Config(int depth, int width, int samples, int steps, double learningRate, double initStd,
                         double maxNorm, long seed) {

        /** Checks the values. */
        public Config {
            if (depth < 3 || width < 1 || samples < 1 || steps < 1 || !(learningRate > 0) || !(initStd > 0)
                    || !(maxNorm > 0)) {
                throw new IllegalArgumentException("VanishingGradients: need depth >= 3, positive sizes, steps,"
                        + " learning rate, init std and max norm; got " + depth + ", " + width + ", " + samples + ", "
                        + steps + ", " + learningRate + ", " + initStd + ", " + maxNorm);
            }
        }

        /** @return 10 layers of 32 units, 64 samples, 60 steps of SGD with lr 0.1, init std 0.3, clip to norm 1 */
        public static Config defaults() {
            return new Config(10, 32, 64, 60, 0.1, 0.3, 1.0, 3L);
        }
    }

    /**
     * One training run of the exploding part.
     *
     * @param losses        the loss at each step (stops at the first non-finite one)
     * @param gradNorms     the global gradient norm at each step, before any clipping
     * @param clippedNorms  the global gradient norm after clipping ({@code gradNorms} again without clipping)
     * @param warnings      what the monitor flagged over the run
     * @param layers        the monitor's layers at the last step, input first
     */
    public record Run(List<Double> losses, List<Double> gradNorms, List<Double> clippedNorms, List<Warning> warnings,
                      List<LayerStats> layers) {

        /** @return whether the loss stayed finite for every step */
        public boolean finite() {
            return losses.stream().allMatch(Double::isFinite);
        }

        /** @return the kinds of warning raised */
        public Set<Kind> warningKinds() {
            Set<Kind> kinds = EnumSet.noneOf(Kind.class);
            warnings.forEach(w -> kinds.add(w.kind()));
            return kinds;
        }
    }

    /**
     * What the example measured.
     *
     * @param layerNorms    per variant (see {@link #VARIANTS}), the gradient norm of each Linear layer, input first
     * @param atInit        per variant, the monitor's record at initialisation
     * @param plain         the exploding network trained without clipping
     * @param clipped       the same network trained with clipping
     * @param files         the PNG files written
     */
    public record Result(Map<String, double[]> layerNorms, Map<String, StepRecord> atInit, Run plain, Run clipped,
                         List<Path> files) {
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
     * Measures, prints and draws both parts.
     *
     * @param outputDir where to write the PNG files; created if needed
     * @param config    the sizes
     * @param out       where to print
     * @return the measurements and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        List<Path> files = new ArrayList<>();
        Random dataRandom = new Random(config.seed());
        int inputs = 8;
        Tensor x = Tensor.randn(dataRandom, config.samples(), inputs);
        // A smooth target the networks could learn: y = sin(x_0) + x_1 x_2 / 2.
        Tensor y = x.select(1, 0).sin().add(x.select(1, 1).mul(x.select(1, 2)).mul(0.5)).reshape(config.samples(), 1);

        out.printf(Locale.ROOT, "== 1. Vanishing gradients: %d-layer networks of width %d at initialisation%n",
                config.depth(), config.width());
        Map<String, double[]> norms = new LinkedHashMap<>();
        Map<String, StepRecord> records = new LinkedHashMap<>();
        for (String variant : VARIANTS) {
            Random random = new Random(config.seed() + 1);
            Module model = switch (variant) {
                case "sigmoid" -> initialise(plain(config, inputs, Sigmoid::new, random), false, random);
                case "ReLU" -> initialise(plain(config, inputs, ReLU::new, random), true, random);
                default -> initialise(residual(config, inputs, Sigmoid::new, random), false, random);
            };
            Losses.mse(model.forward(x), y).backward();
            StepRecord record = new GradientMonitor(model).record();
            records.put(variant, record);
            norms.put(variant, record.layers().stream().mapToDouble(LayerStats::gradNorm).toArray());
        }
        out.print(normTable(norms, records));
        out.println();
        for (String variant : VARIANTS) {
            StepRecord r = records.get(variant);
            double[] n = norms.get(variant);
            out.printf(Locale.ROOT, "%-19s first layer / last layer = %.1e; monitor: %s%n", variant, n[0] / n[n.length - 1],
                    r.healthy() ? "healthy" : describe(r.warnings(), r.layers()));
        }
        Path chart = dir.resolve("vanishing-gradients.png");
        files.add(Charts.savePng(normChart(norms, config), chart));
        out.println("wrote " + chart);

        out.println();
        out.printf(Locale.ROOT, "== 2. Exploding gradients: a %d-layer ReLU network, weights with standard deviation"
                + " %s (Kaiming's: %.3f), SGD with learning rate %s%n", config.depth(), config.initStd(),
                Math.sqrt(2.0 / config.width()), config.learningRate());
        Run plainRun = train(config, inputs, x, y, false, out);
        Run clippedRun = train(config, inputs, x, y, true, out);
        out.println();
        out.println("step  loss, no clipping    grad norm     loss, clipped        grad norm before -> after clipping");
        for (int i = 0; i < config.steps(); i++) {
            if (i >= 10 && i % 10 != 9 && i != config.steps() - 1) {
                continue;
            }
            out.printf(Locale.ROOT, "%4d  %-19s  %-12s  %-19s  %-12s -> %s%n", i, cell(plainRun.losses(), i),
                    cell(plainRun.gradNorms(), i), cell(clippedRun.losses(), i), cell(clippedRun.gradNorms(), i),
                    cell(clippedRun.clippedNorms(), i));
        }
        out.println();
        out.printf(Locale.ROOT, "without clipping: %s; the monitor flagged %s%n",
                plainRun.finite() ? String.format(Locale.ROOT, "loss %.4g after %d steps", last(plainRun.losses()),
                        plainRun.losses().size()) : "diverged (loss " + last(plainRun.losses()) + ") at step "
                        + (plainRun.losses().size() - 1), describe(plainRun.warnings(), plainRun.layers()));
        out.printf(Locale.ROOT, "with clipGradNorm(%s): loss %.4g -> %.4g; the monitor flagged %s%n", config.maxNorm(),
                clippedRun.losses().get(0), last(clippedRun.losses()), describe(clippedRun.warnings(), clippedRun.layers()));
        Set<Kind> shown = EnumSet.noneOf(Kind.class);
        for (Warning w : plainRun.warnings()) {
            if (shown.add(w.kind())) {
                out.println("  first " + w.kind() + " warning: " + w);
            }
        }
        Path explodingChart = dir.resolve("exploding-gradients.png");
        files.add(Charts.savePng(lossChart(plainRun, clippedRun, config), explodingChart));
        out.println("wrote " + explodingChart);
        out.println();
        out.println("files are in " + dir);
        return new Result(Map.copyOf(norms), Map.copyOf(records), plainRun, clippedRun, List.copyOf(files));
    }

    private static Run train(Config config, int inputs, Tensor x, Tensor y, boolean clip, PrintStream out) {
        Random random = new Random(config.seed() + 2);
        Sequential model = plain(config, inputs, ReLU::new, random);
        model.apply(m -> {
            if (m instanceof Linear l) {
                Init.normal(l.weight(), 0, config.initStd(), random);
                Init.zeros(l.bias());
            }
        });
        SGD sgd = new SGD(model.parameters(), config.learningRate());
        // logInterval: the warnings are printed from the data below; the log gets one line per kind.
        GradientMonitor monitor = new GradientMonitor(model,
                GradientMonitor.Thresholds.defaults().withLogInterval(Integer.MAX_VALUE));
        List<Double> losses = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        List<Double> clipped = new ArrayList<>();
        String label = clip ? "with clipping" : "without clipping";
        for (int step = 0; step < config.steps(); step++) {
            sgd.zeroGrad();
            Tensor loss = Losses.mse(model.forward(x), y);
            losses.add(loss.item());
            if (!Double.isFinite(loss.item())) {
                out.printf(Locale.ROOT, "%s: step %d/%d, loss %s: diverged, stopping%n", label, step, config.steps(),
                        loss.item());
                break;
            }
            loss.backward();
            monitor.beforeStep();
            double norm = clip ? GradClip.clipGradNorm(model.parameters(), config.maxNorm()) : GradClip.totalNorm(model.parameters());
            norms.add(norm);
            clipped.add(clip ? GradClip.totalNorm(model.parameters()) : norm);
            sgd.step();
            monitor.afterStep();
            if ((step + 1) % 10 == 0 || step + 1 == config.steps()) {
                out.printf(Locale.ROOT, "%s: step %d/%d, loss %.4g%n", label, step + 1, config.steps(), loss.item());
            }
        }
        return new Run(List.copyOf(losses), List.copyOf(norms), List.copyOf(clipped), monitor.warnings(),
                monitor.last().layers());
    }


    /** Linear(in, width), act, (depth - 2) x [Linear(width, width), act], Linear(width, 1). */
    private static Sequential plain(Config c, int inputs, Supplier<Module> act, Random random) {
        Sequential s = new Sequential(new Linear(inputs, c.width(), random), act.get());
        for (int i = 0; i < c.depth() - 2; i++) {
            s.add(new Linear(c.width(), c.width(), random));
            s.add(act.get());
        }
        return s.add(new Linear(c.width(), 1, random));
    }

    /** As {@link #plain}, with each hidden [Linear, act] wrapped in a {@link Residual}: x + act(W x + b). */
    private static Sequential residual(Config c, int inputs, Supplier<Module> act, Random random) {
        Sequential s = new Sequential(new Linear(inputs, c.width(), random), act.get());
        for (int i = 0; i < c.depth() - 2; i++) {
            s.add(new Residual(new Sequential(new Linear(c.width(), c.width(), random), act.get())));
        }
        return s.add(new Linear(c.width(), 1, random));
    }

    /** Xavier-normal (sigmoid) or Kaiming-normal (ReLU) weights, zero biases: each activation's textbook init. */
    private static Module initialise(Module model, boolean relu, Random random) {
        model.apply(m -> {
            if (m instanceof Linear l) {
                if (relu) {
                    Init.kaimingNormal(l.weight(), random);
                } else {
                    Init.xavierNormal(l.weight(), 1.0, random);
                }
                Init.zeros(l.bias());
            }
        });
        return model;
    }

    private static String normTable(Map<String, double[]> norms, Map<String, StepRecord> records) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s", "layer"));
        for (String v : VARIANTS) {
            sb.append(String.format(Locale.ROOT, "  %20s", v));
        }
        sb.append("\n").append("-".repeat(6 + 22 * VARIANTS.size())).append('\n');
        int layers = norms.get(VARIANTS.get(0)).length;
        for (int i = 0; i < layers; i++) {
            sb.append(String.format(Locale.ROOT, "%-6d", i + 1));
            for (String v : VARIANTS) {
                String layer = records.get(v).layers().get(i).layer();
                boolean flagged = records.get(v).warnings().stream().anyMatch(w -> w.layer().equals(layer));
                sb.append(String.format(Locale.ROOT, "  %19.3e%s", norms.get(v)[i], flagged ? "!" : " "));
            }
            sb.append('\n');
        }
        sb.append("gradient norm ||dL/dW, dL/db|| of each Linear layer, 1 = next to the input;"
                + " ! = flagged VANISHING by GradientMonitor\n");
        return sb.toString();
    }

    private static XYChart normChart(Map<String, double[]> norms, Config config) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Gradient norm per layer at initialisation, %d-layer networks", config.depth()),
                "layer (1 = next to the input, " + config.depth() + " = output)",
                "gradient norm of the layer (log scale)", true);
        Color[] colors = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C)};
        int c = 0;
        for (var e : norms.entrySet()) {
            double[] layer = new double[e.getValue().length];
            for (int i = 0; i < layer.length; i++) {
                layer[i] = i + 1;
            }
            var series = Charts.addLine(chart, e.getKey() + switch (e.getKey()) {
                case "sigmoid" -> " (Xavier init)";
                case "ReLU" -> " (Kaiming init)";
                default -> " (Xavier init)";
            }, layer, e.getValue());
            if (series != null) {
                series.setLineColor(colors[c % colors.length]);
                series.setMarkerColor(colors[c % colors.length]);
            }
            c++;
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    private static XYChart lossChart(Run plain, Run clipped, Config config) {
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Exploding gradients: %d-layer ReLU network, SGD with learning rate %s", config.depth(),
                        config.learningRate()),
                "step", "training loss (MSE, log scale)", true);
        var a = Charts.addLine(chart, "plain SGD" + (plain.finite() ? "" : " (off the top, then NaN at step "
                + (plain.losses().size() - 1) + ")"), steps(plain.losses().size()), toArray(plain.losses()));
        if (a != null) {
            a.setLineColor(new Color(0xD62728));
            a.setMarkerColor(new Color(0xD62728));
        }
        var b = Charts.addLine(chart, "SGD with GradClip.clipGradNorm(" + config.maxNorm() + ")",
                steps(clipped.losses().size()), toArray(clipped.losses()));
        if (b != null) {
            b.setLineColor(new Color(0x1F77B4));
            b.setMarkerColor(new Color(0x1F77B4));
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        // A diverging run reaches 1e100 before NaN: show the range where training happens and let the
        // diverging curve leave through the top instead of squeezing the other one flat.
        double top = 1;
        for (double v : clipped.losses()) {
            top = Math.max(top, v);
        }
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(top)) + 3));
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
        return chart;
    }

    private static double[] steps(int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = i;
        }
        return s;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    private static String cell(List<Double> values, int i) {
        return i < values.size() ? String.format(Locale.ROOT, "%.4g", values.get(i)) : "";
    }

    /**
     * "VANISHING in layers 1, 2, 3; ..." from a list of warnings, numbering layers from 1 at the input as the
     * table does (the monitor names them by module path: '0', '2', ... or '2.fn.0').
     */
    private static String describe(List<Warning> warnings, List<LayerStats> layers) {
        if (warnings.isEmpty()) {
            return "nothing";
        }
        Map<String, Integer> position = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            position.put(layers.get(i).layer(), i + 1);
        }
        Map<Kind, Set<Integer>> byKind = new LinkedHashMap<>();
        for (Warning w : warnings) {
            byKind.computeIfAbsent(w.kind(), k -> new TreeSet<>()).add(position.getOrDefault(w.layer(), 0));
        }
        StringBuilder sb = new StringBuilder();
        byKind.forEach((kind, at) -> {
            sb.append(sb.length() == 0 ? "" : "; ").append(kind).append(" in layer").append(at.size() > 1 ? "s " : " ");
            List<String> names = new ArrayList<>();
            at.forEach(i -> names.add(i == 0 ? "(all)" : Integer.toString(i)));
            sb.append(String.join(", ", names));
        });
        return sb.toString();
    }
}
