package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The graph as DOT (checked by parsing it), as text, and rendered by Graphviz when it is installed. Pictures
 * go to {@code target/graph-export-test/} where they can be looked at after a test run.
 */
class GraphExportTest {

    private static final Path OUT = Path.of("target", "graph-export-test");

    /** L = (a*b + c) * f, micrograd's first example. */
    private static Tensor[] micrograd() {
        Tensor a = Tensor.scalar(2).requiresGrad(true).name("a");
        Tensor b = Tensor.scalar(-3).requiresGrad(true).name("b");
        Tensor c = Tensor.scalar(10).requiresGrad(true).name("c");
        Tensor f = Tensor.scalar(-2).requiresGrad(true).name("f");
        Tensor e = a.mul(b).name("e");
        Tensor d = e.add(c).name("d");
        Tensor loss = d.mul(f).name("L");
        return new Tensor[] {loss, a, b, c, f, e, d};
    }

    private static Map<String, String> nodeLabelled(Dot.Graph g, String firstLine) {
        for (Map<String, String> attrs : g.nodes().values()) {
            if (attrs.getOrDefault("label", "").split("\n")[0].equals(firstLine)) {
                return attrs;
            }
        }
        throw new AssertionError("no node whose label starts with '" + firstLine + "' in " + g.nodes());
    }

    private static String idOf(Dot.Graph g, String firstLine) {
        for (var e : g.nodes().entrySet()) {
            if (e.getValue().getOrDefault("label", "").split("\n")[0].equals(firstLine)) {
                return e.getKey();
            }
        }
        throw new AssertionError("no node " + firstLine);
    }

    @Nested
    class AsDot {

        @Test
        void aScalarGraphHasOneNodePerOpAndPerLeafAndAnEdgeFromEachInputToItsOp() {
            Tensor[] t = micrograd();
            Dot.Graph g = Dot.parse(GraphExport.toDot(t[0]));

            assertEquals(7, g.nodes().size(), "3 ops and 4 leaves: " + g.nodes());
            assertEquals(6, g.edges().size());
            String loss = idOf(g, "mul L");
            String d = idOf(g, "add d");
            String e = idOf(g, "mul e");
            Set<List<String>> edges = g.edges().stream().map(x -> List.of(x.from(), x.to(), x.attrs().get("label")))
                    .collect(Collectors.toSet());
            assertEquals(Set.of(List.of(d, loss, "0"), List.of(idOf(g, "f"), loss, "1"), List.of(e, d, "0"),
                    List.of(idOf(g, "c"), d, "1"), List.of(idOf(g, "a"), e, "0"), List.of(idOf(g, "b"), e, "1")), edges);

            assertEquals("mul L\n[] FLOAT64\nvalue -8.00000", nodeLabelled(g, "mul L").get("label"));
            assertEquals("box", nodeLabelled(g, "mul L").get("shape"));
            assertEquals("ellipse", nodeLabelled(g, "a").get("shape"), "leaves are ellipses");
            assertEquals("a\n[] FLOAT64\nvalue 2.00000", nodeLabelled(g, "a").get("label"), "no gradient yet");
            assertEquals("LR", g.attributes().get("rankdir"));
        }

        @Test
        void afterBackwardLeavesAndRetainedNodesShowTheirGradient() {
            Tensor[] t = micrograd();
            t[6].retainGrad(); // d
            t[0].backward();
            Dot.Graph g = Dot.parse(GraphExport.toDot(t[0]));
            assertEquals("a\n[] FLOAT64\nvalue 2.00000\ngrad 6.00000", nodeLabelled(g, "a").get("label"));
            assertEquals("b\n[] FLOAT64\nvalue -3.00000\ngrad -4.00000", nodeLabelled(g, "b").get("label"));
            assertEquals("add d\n[] FLOAT64\nvalue 4.00000\ngrad -2.00000", nodeLabelled(g, "add d").get("label"));
            assertFalse(nodeLabelled(g, "mul e").get("label").contains("grad"), "e did not retain its gradient");
        }

        @Test
        void tensorsShowShapeDtypeAndASummaryAndUnnamedLeavesAreLabelledLeaf() {
            Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor x = Tensor.of(new float[] {1, -1, 2}, 3, 1);
            Tensor y = w.matmul(x).relu().name("h"); // rows: 1 - 2 + 6 = 5 and 4 - 5 + 12 = 11
            Dot.Graph g = Dot.parse(GraphExport.toDot(y));
            assertEquals(3, g.nodes().size(), "relu, matmul and the leaf w; x needs no gradient: " + g.nodes());
            assertEquals(2, g.edges().size());
            assertEquals("relu h\n[2, 1] FLOAT32\nmean 8.000 min 5.000 max 11.00", nodeLabelled(g, "relu h").get("label"));
            assertTrue(nodeLabelled(g, "leaf").get("label").startsWith("leaf\n[2, 3] FLOAT32\nmean 3.500 min 1.000 max 6.000"));
        }

        @Test
        void aSharedInputIsOneNodeWithTwoEdges() {
            Tensor x = Tensor.scalar(3).requiresGrad(true).name("x");
            Tensor y = x.mul(x).name("y");
            Dot.Graph g = Dot.parse(GraphExport.toDot(y));
            assertEquals(2, g.nodes().size());
            assertEquals(List.of("0", "1"), g.edges().stream().map(e -> e.attrs().get("label")).sorted().toList());
        }

        @Test
        void aTensorWithoutHistoryIsASingleNode() {
            Dot.Graph g = Dot.parse(GraphExport.toDot(Tensor.scalar(1.5).name("k")));
            assertEquals(1, g.nodes().size());
            assertTrue(g.edges().isEmpty());
            assertTrue(g.nodes().values().iterator().next().get("label").contains("value 1.50000"));
        }

        @Test
        void quotesAndBackslashesInNamesAreEscaped() {
            Tensor x = Tensor.scalar(1).requiresGrad(true).name("say \"hi\" \\ bye");
            Dot.Graph g = Dot.parse(GraphExport.toDot(x.exp()));
            assertTrue(g.nodes().values().stream().anyMatch(n -> n.get("label").startsWith("say \"hi\" \\ bye\n")),
                    g.nodes().toString());
        }

        @Test
        void aGraphOfAHundredThousandOpsIsExportedWithoutRecursion() {
            Tensor x = Tensor.scalar(0.5).requiresGrad(true);
            Tensor h = x;
            for (int i = 0; i < 100_000; i++) {
                h = h.mul(1.0);
            }
            String dot = GraphExport.toDot(h);
            Dot.Graph g = Dot.parse(dot);
            assertEquals(100_001, g.nodes().size());
            assertEquals(100_000, g.edges().size());
        }
    }

    @Nested
    class AsText {

        @Test
        void theTreeListsTheOutputFirstWithItsInputsIndentedBelow() {
            Tensor[] t = micrograd();
            String text = GraphExport.toText(t[0]);
            assertEquals(List.of(
                    "#1 mul L  [] FLOAT64  value -8.00000",
                    "    #2 add d  [] FLOAT64  value 4.00000",
                    "        #3 mul e  [] FLOAT64  value -6.00000",
                    "            #4 a  [] FLOAT64  value 2.00000",
                    "            #5 b  [] FLOAT64  value -3.00000",
                    "        #6 c  [] FLOAT64  value 10.0000",
                    "    #7 f  [] FLOAT64  value -2.00000"), text.lines().toList());
        }

        @Test
        void aNodeReachedTwiceIsPrintedOnceAndThenReferredTo() {
            Tensor x = Tensor.scalar(2).requiresGrad(true).name("x");
            Tensor s = x.sin().name("s");
            Tensor y = s.mul(s).name("y");
            List<String> lines = GraphExport.toText(y).lines().toList();
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(1).startsWith("    #2 sin s"), lines.toString());
            assertEquals("    (#2 again)", lines.get(3));
        }

        @Test
        void aTensorWithoutHistoryIsOneLine() {
            assertEquals("constant [] FLOAT64 value 4.00000\n", GraphExport.toText(Tensor.scalar(4)));
        }

        @Test
        void aDeepChainDoesNotOverflowTheStack() {
            Tensor h = Tensor.scalar(1).requiresGrad(true);
            for (int i = 0; i < 2_000; i++) {
                h = h.add(1.0);
            }
            assertEquals(2_001, GraphExport.toText(h).lines().count());
        }

        @Test
        void deepChainsPrintInLinearSpace() {
            Tensor h = Tensor.scalar(1).requiresGrad(true);
            for (int i = 0; i < 20_000; i++) {
                h = h.add(1.0);
            }
            String text = GraphExport.toText(h);
            // indentation stops growing after 16 levels; deeper lines carry their depth instead
            assertTrue(text.length() < 150L * 20_001, () -> "text of " + text.length() + " characters");
            assertTrue(text.contains("(depth 20000)"), "the deepest line names its depth");
        }

        @Test
        void dotLayoutDirectionCanBeChosen() {
            Tensor[] t = micrograd();
            assertTrue(GraphExport.toDot(t[0], "TB").contains("rankdir=TB;"));
            assertThrows(IllegalArgumentException.class, () -> GraphExport.toDot(t[0], "sideways"));
        }
    }

    @Nested
    class Rendering {

        @Test
        void withGraphvizInstalledDotRendersToSvgAndPng() throws Exception {
            Assumptions.assumeTrue(GraphExport.isDotAvailable(), "Graphviz's dot is not installed here");
            Tensor[] t = micrograd();
            t[0].backward();
            String dot = GraphExport.toDot(t[0]);
            Path svg = GraphExport.render(dot, OUT.resolve("micrograd.svg"));
            String svgText = Files.readString(svg, StandardCharsets.UTF_8);
            assertTrue(svgText.contains("<svg"), svgText);
            assertTrue(svgText.contains("grad 6.00000"), "the labels are drawn");
            Path png = GraphExport.render(dot, OUT.resolve("micrograd.png"));
            byte[] bytes = Files.readAllBytes(png);
            assertTrue(bytes.length > 1000);
            assertEquals((byte) 0x89, bytes[0]);
            assertEquals("PNG", new String(bytes, 1, 3, StandardCharsets.US_ASCII));
        }

        @Test
        void withGraphvizInstalledBadDotIsAClearError() {
            Assumptions.assumeTrue(GraphExport.isDotAvailable(), "Graphviz's dot is not installed here");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GraphExport.render("digraph { a -> }", OUT.resolve("bad.svg")));
            assertTrue(e.getMessage().contains("dot failed"), e.getMessage());
        }

        @Test
        void withoutGraphvizRenderingNamesThePackageToInstall() {
            Assumptions.assumeFalse(GraphExport.isDotAvailable(), "Graphviz's dot is installed here");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GraphExport.render("digraph { }", OUT.resolve("none.svg")));
            assertTrue(e.getMessage().contains("'graphviz' package"), e.getMessage());
            assertTrue(e.getMessage().contains("apt-get install graphviz"), e.getMessage());
        }
    }

    /**
     * A small parser for the DOT that {@link GraphExport} writes: a {@code digraph} with graph attributes,
     * {@code node [...]} defaults, node statements with attribute lists, and edges {@code a -> b [...]}. It
     * fails on unbalanced braces or brackets, unterminated strings, text after the closing brace, and edges
     * whose endpoints are not declared as nodes.
     */
    static final class Dot {

        record Edge(String from, String to, Map<String, String> attrs) {
        }

        record Graph(String name, Map<String, String> attributes, Map<String, Map<String, String>> nodes,
                     List<Edge> edges) {
        }

        private final List<String> tokens;
        private final List<Boolean> quoted = new ArrayList<>();
        private int pos;

        private Dot(String text) {
            this.tokens = tokenize(text);
        }

        static Graph parse(String text) {
            return new Dot(text).graph();
        }

        private List<String> tokenize(String s) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= s.length()) {
                            throw new AssertionError("unterminated string in DOT:\n" + s);
                        }
                        char d = s.charAt(i++);
                        if (d == '"') {
                            break;
                        }
                        if (d == '\\' && i < s.length()) {
                            char n = s.charAt(i++);
                            sb.append(n == 'n' ? '\n' : n);
                        } else {
                            sb.append(d);
                        }
                    }
                    out.add(sb.toString());
                    quoted.add(true);
                } else if (s.startsWith("->", i)) {
                    out.add("->");
                    quoted.add(false);
                    i += 2;
                } else if ("{}[];,=".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    quoted.add(false);
                    i++;
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '#' || c == '-') {
                    int start = i;
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "_.#-".indexOf(s.charAt(i)) >= 0)
                            && !s.startsWith("->", i)) {
                        i++;
                    }
                    out.add(s.substring(start, i));
                    quoted.add(false);
                } else {
                    throw new AssertionError("unexpected character '" + c + "' at " + i + " in DOT:\n" + s);
                }
            }
            return out;
        }

        private String peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private boolean symbol(String s) {
            return pos < tokens.size() && !quoted.get(pos) && tokens.get(pos).equals(s);
        }

        private String next() {
            if (pos >= tokens.size()) {
                throw new AssertionError("DOT ends early (unbalanced braces or brackets?)");
            }
            return tokens.get(pos++);
        }

        private void expect(String s) {
            if (!symbol(s)) {
                throw new AssertionError("DOT: expected '" + s + "' at token " + pos + ", found '" + peek() + "'");
            }
            pos++;
        }

        private String id() {
            boolean isQuoted = pos < tokens.size() && quoted.get(pos);
            String t = next();
            if (!isQuoted && "{}[];,=->".contains(t)) {
                throw new AssertionError("DOT: expected an identifier at token " + (pos - 1) + ", found '" + t + "'");
            }
            return t;
        }

        private Graph graph() {
            String kind = next();
            if (!kind.equals("digraph")) {
                throw new AssertionError("DOT: expected 'digraph', found '" + kind + "'");
            }
            String name = symbol("{") ? "" : id();
            expect("{");
            Map<String, String> attributes = new LinkedHashMap<>();
            Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
            List<Edge> edges = new ArrayList<>();
            while (!symbol("}")) {
                if (peek() == null) {
                    throw new AssertionError("DOT: missing closing '}'");
                }
                String first = id();
                if (symbol("=")) {
                    pos++;
                    attributes.put(first, id());
                } else if (symbol("->")) {
                    List<String> chain = new ArrayList<>(List.of(first));
                    while (symbol("->")) {
                        pos++;
                        chain.add(id());
                    }
                    Map<String, String> attrs = symbol("[") ? attributes() : Map.of();
                    for (int i = 0; i + 1 < chain.size(); i++) {
                        edges.add(new Edge(chain.get(i), chain.get(i + 1), attrs));
                    }
                } else {
                    Map<String, String> attrs = symbol("[") ? attributes() : Map.of();
                    if (!Set.of("node", "edge", "graph").contains(first)) {
                        nodes.put(first, attrs);
                    }
                }
                if (symbol(";")) {
                    pos++;
                }
            }
            expect("}");
            if (pos != tokens.size()) {
                throw new AssertionError("DOT: text after the closing '}': " + tokens.subList(pos, tokens.size()));
            }
            Set<String> undeclared = new HashSet<>();
            for (Edge e : edges) {
                for (String end : List.of(e.from(), e.to())) {
                    if (!nodes.containsKey(end)) {
                        undeclared.add(end);
                    }
                }
            }
            if (!undeclared.isEmpty()) {
                throw new AssertionError("DOT: edges refer to undeclared nodes " + undeclared);
            }
            return new Graph(name, attributes, nodes, edges);
        }

        private Map<String, String> attributes() {
            expect("[");
            Map<String, String> attrs = new LinkedHashMap<>();
            while (!symbol("]")) {
                String key = id();
                expect("=");
                attrs.put(key, id());
                if (symbol(",") || symbol(";")) {
                    pos++;
                }
            }
            expect("]");
            return attrs;
        }
    }

    @Nested
    class Parser {

        @Test
        void rejectsBrokenDot() {
            assertThrows(AssertionError.class, () -> Dot.parse("digraph g { a; b; a -> c; }"), "undeclared node");
            assertThrows(AssertionError.class, () -> Dot.parse("digraph g { a [label=\"x]; }"), "open string");
            assertThrows(AssertionError.class, () -> Dot.parse("digraph g { a; "), "missing brace");
            assertThrows(AssertionError.class, () -> Dot.parse("digraph g { a; } }"), "extra brace");
            assertThrows(AssertionError.class, () -> Dot.parse("digraph g { a [label=x; }"), "open bracket");
            assertEquals(2, Dot.parse("digraph g { a; b; a -> b [label=\"0\"]; }").nodes().size());
        }
    }
}
