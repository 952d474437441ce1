package dev.autograd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The graph behind a tensor, as Graphviz DOT or as text for a terminal.
 *
 * <p>One box per recorded op and one ellipse per leaf that requires grad, each showing its name, shape
 * and dtype, the value (scalars) or a summary (mean, min, max) of the tensor, and its gradient once
 * backward has run (for leaves, and for non-leaves that {@link Tensor#retainGrad() retain} it). Arrows
 * follow the data: from an op's inputs to the op. The graph holds outputs weakly, so a value the program no
 * longer references shows as "(freed)".
 *
 * <pre>{@code
 * Files.writeString(Path.of("graph.dot"), GraphExport.toDot(loss));
 * GraphExport.render(GraphExport.toDot(loss), Path.of("graph.svg"));   // needs Graphviz's dot
 * System.out.println(GraphExport.toText(loss));
 * }</pre>
 */
public final class GraphExport {

    /** Text trees indent at most this many levels. */
    private static final int MAX_INDENT = 16;

    private GraphExport() {
    }

    /**
     * The graph that produced {@code root} in Graphviz DOT.
     *
     * @param root the tensor whose history to draw
     * @return a {@code digraph} document
     */
    public static String toDot(Tensor root) {
        return toDot(root, "LR");
    }

    /**
     * The graph that produced {@code root} in Graphviz DOT, laid out in the given direction.
     *
     * @param root      the tensor whose history to draw
     * @param direction Graphviz's rankdir: "LR" (left to right, the default), "TB" (top to bottom; better
     *                  for long chains), "RL" or "BT"
     * @return a {@code digraph} document
     * @throws IllegalArgumentException for another direction
     */
    public static String toDot(Tensor root, String direction) {
        if (!List.of("LR", "TB", "RL", "BT").contains(direction)) {
            throw new IllegalArgumentException("GraphExport.toDot: direction must be LR, TB, RL or BT, got " + direction);
        }
        List<Node> nodes = reachable(root);
        Map<Node, Integer> ids = new IdentityHashMap<>();
        for (Node node : nodes) {
            ids.put(node, ids.size());
        }
        StringBuilder sb = new StringBuilder("digraph autograd {\n");
        sb.append("  rankdir=").append(direction).append(";\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        if (nodes.isEmpty()) {
            sb.append("  n0 [shape=ellipse, label=\"").append(escape(describe(root, "constant"))).append("\"];\n");
        }
        for (Node node : nodes) {
            boolean leaf = node instanceof AccumulateGrad;
            Tensor out = node.output();
            String title = leaf ? (out != null && out.name() != null ? out.name() : "leaf") : node.name();
            sb.append("  n").append(ids.get(node)).append(" [shape=").append(leaf ? "ellipse, style=filled, fillcolor=\"#dbe9f6\"" : "box, style=rounded")
                    .append(", label=\"").append(escape(describe(out, title))).append("\"];\n");
        }
        for (Node node : nodes) {
            for (int i = 0; i < node.next.length; i++) {
                Node input = node.next[i];
                if (input != null) {
                    sb.append("  n").append(ids.get(input)).append(" -> n").append(ids.get(node));
                    if (node.next.length > 1) {
                        sb.append(" [label=\"").append(i).append("\"]");
                    }
                    sb.append(";\n");
                }
            }
        }
        return sb.append("}\n").toString();
    }

    /**
     * The graph as an indented tree, root first; a node reached a second time is printed once and then
     * referred to by its number.
     *
     * @param root the tensor whose history to print
     * @return the tree as text
     */
    public static String toText(Tensor root) {
        Node start = root.gradEdge();
        if (start == null) {
            return describe(root, "constant").replace('\n', ' ') + "\n";
        }
        StringBuilder sb = new StringBuilder();
        Map<Node, Integer> numbers = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, "", 0});
        while (!stack.isEmpty()) {
            Object[] item = stack.pop();
            Node node = (Node) item[0];
            String indent = (String) item[1];
            Integer seen = numbers.get(node);
            if (seen != null) {
                sb.append(indent).append("(#").append(seen).append(" again)\n");
                continue;
            }
            int number = numbers.size() + 1;
            numbers.put(node, number);
            boolean leaf = node instanceof AccumulateGrad;
            Tensor out = node.output();
            String title = leaf ? (out != null && out.name() != null ? out.name() : "leaf") : node.name();
            sb.append(indent).append('#').append(number).append(' ').append(describe(out, title).replace("\n", "  ")).append('\n');
            // Indentation stops growing after MAX_INDENT levels (a deep chain would otherwise print a
            // quadratic amount of spaces); deeper lines carry their depth instead.
            int depth = (Integer) item[2] + 1;
            String childIndent = depth <= MAX_INDENT ? "    ".repeat(depth)
                    : "    ".repeat(MAX_INDENT) + "(depth " + depth + ") ";
            for (int i = node.next.length - 1; i >= 0; i--) {
                if (node.next[i] != null) {
                    stack.push(new Object[] {node.next[i], childIndent, depth});
                }
            }
        }
        return sb.toString();
    }

    /** The system property naming the Graphviz program to run, when it is not {@code dot} on the PATH. */
    public static final String DOT_PROPERTY = "autograd.dot";

    /** The {@code dot} program: {@value #DOT_PROPERTY} when set, else {@code dot} from the PATH. */
    private static String dotProgram() {
        return System.getProperty(DOT_PROPERTY, "dot");
    }

    /**
     * Renders DOT to a picture with Graphviz's {@code dot} program (another one with
     * {@code -Dautograd.dot=/path/to/dot}); the format comes from the file's extension ({@code .svg},
     * {@code .png}, {@code .pdf}).
     *
     * @param dot    a DOT document, e.g. from {@link #toDot}
     * @param output where to write the picture
     * @return {@code output}
     * @throws IllegalStateException when {@code dot} is not installed (the message names the package) or
     *                               fails
     */
    public static Path render(String dot, Path output) {
        String name = output.getFileName().toString();
        String format = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "svg";
        if (!isDotAvailable()) {
            throw new IllegalStateException("GraphExport.render: Graphviz's '" + dotProgram() + "' program is not on the"
                    + " PATH. Install"
                    + " the 'graphviz' package (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install"
                    + " graphviz; Windows: winget install graphviz), or write the DOT text with toDot and render it"
                    + " elsewhere.");
        }
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Process process = new ProcessBuilder(dotProgram(), "-T" + format, "-o", output.toString())
                    .redirectErrorStream(true).start();
            process.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String messages = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("GraphExport.render: dot failed for " + output + ": " + messages.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("GraphExport.render: could not run dot for " + output, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("GraphExport.render: interrupted while dot was running", e);
        }
    }

    /** @return whether Graphviz's {@code dot} program (see {@link #DOT_PROPERTY}) can be started */
    public static boolean isDotAvailable() {
        try {
            Process p = new ProcessBuilder(dotProgram(), "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Every node reachable from the root, root first, found without recursion. */
    private static List<Node> reachable(Tensor root) {
        List<Node> order = new ArrayList<>();
        Node start = root.gradEdge();
        if (start == null) {
            return order;
        }
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        Deque<Node> queue = new ArrayDeque<>();
        queue.add(start);
        seen.put(start, true);
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            order.add(node);
            for (Node next : node.next) {
                if (next != null && seen.put(next, true) == null) {
                    queue.add(next);
                }
            }
        }
        return order;
    }

    private static String describe(Tensor t, String title) {
        StringBuilder sb = new StringBuilder(title);
        if (t == null) {
            return sb.append("\n(freed)").toString();
        }
        if (t.name() != null && !title.equals(t.name())) {
            sb.append(" ").append(t.name());
        }
        sb.append("\n").append(Shapes.format(t.shapeRef())).append(' ').append(t.dtype());
        sb.append("\n").append(t.numel() == 1 ? "value " : "").append(summary(t));
        if (t.grad() != null) {
            sb.append("\ngrad ").append(summary(t.grad()));
        }
        return sb.toString();
    }

    private static String summary(Tensor t) {
        double[] v = t.toDoubleArray();
        if (v.length == 1) {
            return BackwardTrace.number(v[0]);
        }
        if (v.length == 0) {
            return "(empty)";
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return String.format(Locale.ROOT, "mean %.4g min %.4g max %.4g", sum / v.length, min, max);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
