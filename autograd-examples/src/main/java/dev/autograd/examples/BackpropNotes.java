package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.GraphExport;
import dev.autograd.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * The classic backpropagation notes, worked in code: a 2-layer network on one column vector,
 *
 * <pre>
 *   z1 = W1 x + b1,   a1 = g(z1)
 *   z2 = W2 a1 + b2,  a2 = g(z2) = y_hat          g = sigmoid, g'(z) = g(z) (1 - g(z))
 *   L  = 1/2 sum (y - y_hat)^2
 * </pre>
 *
 * <p>Its backward is written by hand with the delta formulas
 *
 * <pre>
 *   delta2 = dL/dz2 = (a2 - y) * g'(z2)
 *   delta1 = (W2^T delta2) * g'(z1)
 *   dL/dW2 = delta2 a1^T,  dL/db2 = delta2
 *   dL/dW1 = delta1 x^T,   dL/db1 = delta1
 * </pre>
 *
 * and printed element by element next to the gradients autograd computes, with their difference (0 or a
 * few units in the last place in FLOAT64: autograd does the same arithmetic). Then a few steps of gradient descent are
 * taken with the hand gradients, checked against autograd at every step. Last, a single neuron as a
 * scalar graph ({@link ScalarGraph}) shows every chain-rule step as a backward trace.
 *
 * <p>Files, in {@code out/backprop-notes/}: {@code network.dot} (the network's graph after backward, and
 * {@code .svg}/{@code .png} when Graphviz is installed), {@code gradient-descent.png} (the loss per step)
 * and the neuron's {@code neuron.dot} (and pictures).
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.BackpropNotes}
 */
public final class BackpropNotes {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "backprop-notes");

    private BackpropNotes() {
    }

    /**
     * The network's size and training settings.
     *
     * @param inputs       the size of {@code x}
     * @param hidden       the size of {@code a1}
     * @param outputs      the size of {@code y}
     * @param steps        gradient-descent steps to take by hand, at least 1
     * @param learningRate the step size
     * @param seed         seeds {@code x}, {@code y} and the initial weights
     */
    public record Config(int inputs, int hidden, int outputs, int steps, double learningRate, long seed) {

        /** Checks the values. */
        public Config {
            if (inputs < 1 || hidden < 1 || outputs < 1 || steps < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("BackpropNotes: sizes and steps must be at least 1 and the"
                        + " learning rate positive, got " + inputs + ", " + hidden + ", " + outputs + ", " + steps
                        + ", " + learningRate);
            }
        }

        /** @return a 3-4-2 network, 10 steps with learning rate 2, seed 7 */
        public static Config defaults() {
            return new Config(3, 4, 2, 10, 2.0, 7L);
        }
    }

    /**
     * What the example computed.
     *
     * @param maxDifference  the largest |hand - autograd| over every gradient element, first step
     * @param differences    the largest |hand - autograd| per parameter ({@code W1, b1, W2, b2}), first step
     * @param handGradients  the hand gradients of the first step, by parameter name
     * @param autoGradients  autograd's gradients of the first step, by parameter name
     * @param losses         the loss before each gradient-descent step, then after the last one
     * @param maxStepDifference the largest |hand - autograd| over all steps
     * @param neuron         the scalar-graph part's result
     * @param files          every file written
     */
    public record Result(double maxDifference, Map<String, Double> differences, Map<String, double[]> handGradients,
                         Map<String, double[]> autoGradients, List<Double> losses, double maxStepDifference,
                         ScalarGraph.Result neuron, List<Path> files) {
    }

    /** The four parameters, as column-vector maths wants them: W [out, in], b [out, 1]. */
    private record Params(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        List<Tensor> all() {
            return List.of(w1, b1, w2, b2);
        }
    }

    /** What the forward pass keeps for the hand backward: the notes' z and a of each layer. */
    private record Forward(Tensor z1, Tensor a1, Tensor z2, Tensor a2, Tensor loss) {
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
     * Works through the notes, printing as it goes.
     *
     * @param outputDir where to write the files; created if needed
     * @param config    the network and the steps
     * @param out       where to print
     * @return the differences, losses and files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        List<Path> files = new ArrayList<>();
        Random random = new Random(config.seed());
        Tensor x = Tensor.rand(random, config.inputs(), 1).name("x");
        Tensor y = Tensor.rand(random, config.outputs(), 1).name("y");
        Params p = new Params(
                Tensor.randn(random, config.hidden(), config.inputs()).requiresGrad(true).name("W1"),
                Tensor.randn(random, config.hidden(), 1).requiresGrad(true).name("b1"),
                Tensor.randn(random, config.outputs(), config.hidden()).requiresGrad(true).name("W2"),
                Tensor.randn(random, config.outputs(), 1).requiresGrad(true).name("b2"));

        out.println("== 1. The forward pass, one sample as a column vector (FLOAT64)");
        out.printf(Locale.ROOT, "x [%d, 1], W1 [%d, %d], b1 [%d, 1], W2 [%d, %d], b2 [%d, 1], y [%d, 1]%n",
                config.inputs(), config.hidden(), config.inputs(), config.hidden(), config.outputs(), config.hidden(),
                config.outputs(), config.outputs());
        out.println("z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, y_hat = a2 = sigmoid(z2),"
                + " L = 1/2 sum (y - y_hat)^2");
        Forward f = forward(p, x, y);
        out.println("x     = " + flat(x));
        out.println("z1    = " + flat(f.z1()));
        out.println("a1    = " + flat(f.a1()));
        out.println("z2    = " + flat(f.z2()));
        out.println("y_hat = " + flat(f.a2()));
        out.println("y     = " + flat(y));
        out.printf(Locale.ROOT, "L     = %.10f%n", f.loss().item());

        out.println();
        out.println("== 2. The backward pass by hand (the delta formulas) next to autograd's");
        out.println("delta2 = (a2 - y) * g'(z2)           g'(z) = g(z) (1 - g(z))");
        out.println("delta1 = (W2^T delta2) * g'(z1)");
        out.println("dL/dW2 = delta2 a1^T   dL/db2 = delta2   dL/dW1 = delta1 x^T   dL/db1 = delta1");
        Map<String, Tensor> hand = handBackward(p, x, y, f);
        f.loss().backward();
        Map<String, Tensor> auto = autogradGradients(p);
        out.println("delta2 = " + flat(hand.get("delta2")));
        out.println("delta1 = " + flat(hand.get("delta1")));
        out.println();
        Map<String, Double> differences = new LinkedHashMap<>();
        Map<String, double[]> handArrays = new LinkedHashMap<>();
        Map<String, double[]> autoArrays = new LinkedHashMap<>();
        out.println("gradient      by hand (delta formulas)     autograd                     |difference|");
        out.println("-------------------------------------------------------------------------------------");
        double maxDifference = 0;
        for (Tensor param : p.all()) {
            String name = param.name();
            double[] h = hand.get(name).toDoubleArray();
            double[] a = auto.get(name).toDoubleArray();
            int[] shape = param.shape();
            double worst = 0;
            for (int i = 0; i < h.length; i++) {
                double d = Math.abs(h[i] - a[i]);
                worst = Math.max(worst, d);
                String index = String.format(Locale.ROOT, "dL/d%s[%d,%d]", name, i / shape[1], i % shape[1]);
                out.printf(Locale.ROOT, "%-13s %26.17e  %26.17e  %10.3e%n", index, h[i], a[i], d);
            }
            differences.put(name, worst);
            handArrays.put(name, h);
            autoArrays.put(name, a);
            maxDifference = Math.max(maxDifference, worst);
        }
        out.printf(Locale.ROOT, "largest |hand - autograd| = %.3e%n", maxDifference);

        // The network's graph is a long chain: drawn top to bottom it fits a page better than left to right.
        String networkDot = GraphExport.toDot(f.loss(), "TB");
        out.println();
        out.println("the network's graph after backward (parameters named, gradients shown):");
        files.addAll(ExampleFiles.writeGraph(networkDot, dir, "network", out));

        out.println();
        out.printf(Locale.ROOT, "== 3. Gradient descent by hand: W <- W - %s dL/dW, b <- b - %s dL/db%n",
                config.learningRate(), config.learningRate());
        out.printf(Locale.ROOT, "%4s  %-12s  %-30s  %s%n", "step", "loss", "y_hat", "max |hand - autograd|");
        List<Double> losses = new ArrayList<>();
        double maxStepDifference = 0;
        for (int step = 0; step <= config.steps(); step++) {
            for (Tensor param : p.all()) {
                param.zeroGrad();
            }
            Forward fs = forward(p, x, y);
            losses.add(fs.loss().item());
            if (step == config.steps()) {
                out.printf(Locale.ROOT, "%4d  %.10f  %-30s%n", step, fs.loss().item(), flat(fs.a2()));
                break;
            }
            Map<String, Tensor> h = handBackward(p, x, y, fs);
            fs.loss().backward();
            Map<String, Tensor> a = autogradGradients(p);
            double worst = 0;
            for (Tensor param : p.all()) {
                worst = Math.max(worst, maxAbsDifference(h.get(param.name()), a.get(param.name())));
            }
            maxStepDifference = Math.max(maxStepDifference, worst);
            out.printf(Locale.ROOT, "%4d  %.10f  %-30s  %.3e%n", step, fs.loss().item(), flat(fs.a2()), worst);
            // The update, by hand too: in place, outside the graph.
            try (var scope = Autograd.noGrad()) {
                for (Tensor param : p.all()) {
                    param.subInPlace(h.get(param.name()).mul(config.learningRate()));
                }
            }
        }
        out.printf(Locale.ROOT, "the loss went from %.6f to %.6f in %d steps%n", losses.get(0),
                losses.get(losses.size() - 1), config.steps());
        files.add(lossChart(losses, dir.resolve("gradient-descent.png")));
        out.println("wrote " + dir.resolve("gradient-descent.png"));

        out.println();
        out.println("== 4. Every chain-rule step of a scalar graph");
        ScalarGraph.Result neuron = ScalarGraph.run(dir, out);
        files.addAll(neuron.files());
        out.println();
        out.println("files are in " + dir);
        return new Result(maxDifference, Map.copyOf(differences), Map.copyOf(handArrays), Map.copyOf(autoArrays),
                List.copyOf(losses), maxStepDifference, neuron, List.copyOf(files));
    }

    private static Forward forward(Params p, Tensor x, Tensor y) {
        Tensor z1 = p.w1().matmul(x).add(p.b1()).name("z1");
        Tensor a1 = z1.sigmoid().name("a1");
        Tensor z2 = p.w2().matmul(a1).add(p.b2()).name("z2");
        Tensor a2 = z2.sigmoid().name("y_hat");
        Tensor loss = y.sub(a2).pow(2).sum().mul(0.5).name("L");
        return new Forward(z1, a1, z2, a2, loss);
    }

    /** The notes' backward, formula by formula, on values only (no graph is recorded). */
    private static Map<String, Tensor> handBackward(Params p, Tensor x, Tensor y, Forward f) {
        try (var scope = Autograd.noGrad()) {
            Tensor a1 = f.a1().detach();
            Tensor a2 = f.a2().detach();
            Tensor gPrime2 = a2.mul(a2.neg().add(1));                          // g'(z2) = a2 (1 - a2)
            Tensor delta2 = a2.sub(y).mul(gPrime2);                            // dL/dz2 = (a2 - y) * g'(z2)
            Tensor gPrime1 = a1.mul(a1.neg().add(1));                          // g'(z1) = a1 (1 - a1)
            Tensor delta1 = p.w2().detach().t().matmul(delta2).mul(gPrime1); // (W2^T delta2) * g'(z1)
            Map<String, Tensor> grads = new LinkedHashMap<>();
            grads.put("W1", delta1.matmul(x.t()));                     // dL/dW1 = delta1 x^T
            grads.put("b1", delta1);                                           // dL/db1 = delta1
            grads.put("W2", delta2.matmul(a1.t()));                    // dL/dW2 = delta2 a1^T
            grads.put("b2", delta2);                                           // dL/db2 = delta2
            grads.put("delta1", delta1);
            grads.put("delta2", delta2);
            return grads;
        }
    }

    private static Map<String, Tensor> autogradGradients(Params p) {
        Map<String, Tensor> grads = new LinkedHashMap<>();
        for (Tensor param : p.all()) {
            grads.put(param.name(), param.grad());
        }
        return grads;
    }

    private static double maxAbsDifference(Tensor a, Tensor b) {
        double[] u = a.toDoubleArray();
        double[] v = b.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < u.length; i++) {
            worst = Math.max(worst, Math.abs(u[i] - v[i]));
        }
        return worst;
    }

    private static String flat(Tensor t) {
        StringBuilder sb = new StringBuilder("[");
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", v[i]));
        }
        return sb.append(']').toString();
    }

    private static Path lossChart(List<Double> losses, Path file) {
        XYChart chart = Charts.lineChart("Gradient descent by hand on the 2-layer network", "step",
                "loss L = 1/2 sum (y - y_hat)^2", false);
        double[] steps = new double[losses.size()];
        double[] values = new double[losses.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
            values[i] = losses.get(i);
        }
        Charts.addLine(chart, "loss", steps, values);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return Charts.savePng(chart, file);
    }
}
