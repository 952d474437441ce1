package dev.autograd.examples;

import dev.autograd.BackwardStep;
import dev.autograd.BackwardTrace;
import dev.autograd.GraphExport;
import dev.autograd.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One artificial neuron as a graph of scalars, micrograd style: {@code o = tanh(x1*w1 + x2*w2 + b)} with
 * {@code x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8813735870195432}, chosen so that {@code n = 0.8814} and
 * {@code o = tanh(n) = 0.7071}, hence {@code do/dn = 1 - o^2 = 0.5}.
 *
 * <p>It prints the forward values, the graph as an indented tree, the backward trace (for each node the
 * upstream gradient, the local derivative rule and value, and what it sends to each input: every
 * chain-rule step, checkable by hand) and the gradients; it writes the graph as
 * {@code out/scalar-graph/neuron.dot}, and as {@code neuron.svg} and {@code neuron.png} when Graphviz's
 * {@code dot} is installed.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.ScalarGraph}
 */
public final class ScalarGraph {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "scalar-graph");

    private ScalarGraph() {
    }

    /**
     * What the example computed and wrote.
     *
     * @param output    the neuron's output {@code o}
     * @param gradients {@code do/dv} for each leaf {@code v}, by name ({@code x1, w1, x2, w2, b})
     * @param trace     the backward steps, in the order backward ran them
     * @param traceText the trace as the printed table
     * @param dot       the graph in Graphviz DOT
     * @param files     the files written: the DOT file, then the SVG and PNG when {@code dot} is installed
     */
    public record Result(double output, Map<String, Double> gradients, List<BackwardStep> trace, String traceText,
                         String dot, List<Path> files) {
    }

    /**
     * Runs the example, writing to {@link #DEFAULT_OUTPUT}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(DEFAULT_OUTPUT, System.out);
    }

    /**
     * Builds the neuron, runs backward under a {@link BackwardTrace}, prints everything and writes the graph.
     *
     * @param outputDir where to write {@code neuron.dot} (and {@code .svg}, {@code .png}); created if needed
     * @param out       where to print
     * @return the values, the trace and the files
     */
    public static Result run(Path outputDir, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        out.println("== A neuron as a graph of scalars: o = tanh(x1*w1 + x2*w2 + b)");
        Tensor x1 = Tensor.scalar(2.0).requiresGrad(true).name("x1");
        Tensor x2 = Tensor.scalar(0.0).requiresGrad(true).name("x2");
        Tensor w1 = Tensor.scalar(-3.0).requiresGrad(true).name("w1");
        Tensor w2 = Tensor.scalar(1.0).requiresGrad(true).name("w2");
        Tensor b = Tensor.scalar(6.8813735870195432).requiresGrad(true).name("b");

        // Named and retained intermediates: the picture then shows each value and its gradient.
        Tensor x1w1 = x1.mul(w1).name("x1*w1").retainGrad();
        Tensor x2w2 = x2.mul(w2).name("x2*w2").retainGrad();
        Tensor sum = x1w1.add(x2w2).name("x1*w1 + x2*w2").retainGrad();
        Tensor n = sum.add(b).name("n").retainGrad();
        Tensor o = n.tanh().name("o").retainGrad();

        out.printf(Locale.ROOT, "forward: x1*w1 = %s, x2*w2 = %s, n = %s, o = tanh(n) = %s%n", num(x1w1), num(x2w2),
                num(n), num(o));
        out.println();
        out.println("the graph, output first:");
        out.print(GraphExport.toText(o));

        BackwardTrace trace;
        try (BackwardTrace t = BackwardTrace.start()) {
            o.backward();
            trace = t;
        }
        String table = trace.toTable();
        out.println();
        out.println("backward, one row per (node, input): upstream dL/dout times the local derivative dout/din"
                + " gives what the node sends, dL/din");
        out.print(table);

        Map<String, Double> grads = new LinkedHashMap<>();
        for (Tensor leaf : List.of(x1, w1, x2, w2, b)) {
            grads.put(leaf.name(), leaf.grad().item());
        }
        out.println();
        double dn = 1 - o.item() * o.item();
        out.println("the chain rule by hand, against autograd:");
        out.printf(Locale.ROOT, "  do/dn  = 1 - o^2       = %s%n", num(dn));
        out.printf(Locale.ROOT, "  do/dx1 = w1 * do/dn    = %s   autograd %s%n", num(w1.item() * dn), num(grads.get("x1")));
        out.printf(Locale.ROOT, "  do/dw1 = x1 * do/dn    = %s   autograd %s%n", num(x1.item() * dn), num(grads.get("w1")));
        out.printf(Locale.ROOT, "  do/dx2 = w2 * do/dn    = %s   autograd %s%n", num(w2.item() * dn), num(grads.get("x2")));
        out.printf(Locale.ROOT, "  do/dw2 = x2 * do/dn    = %s   autograd %s%n", num(x2.item() * dn), num(grads.get("w2")));
        out.printf(Locale.ROOT, "  do/db  = 1 * do/dn     = %s   autograd %s%n", num(dn), num(grads.get("b")));
        out.println();

        String dot = GraphExport.toDot(o);
        List<Path> files = ExampleFiles.writeGraph(dot, dir, "neuron", out);
        // Keep the intermediates reachable until the picture is drawn: the graph holds its values weakly.
        java.lang.ref.Reference.reachabilityFence(List.of(x1w1, x2w2, sum, n));
        return new Result(o.item(), Map.copyOf(grads), trace.steps(), table, dot, List.copyOf(files));
    }

    private static String num(Tensor t) {
        return num(t.item());
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%7.4f", v);
    }
}
