package dev.autograd.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.GraphExport;
import dev.autograd.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * GraphExport's DOT, checked by parsing it with {@link DotGraph} (which lives here, in the test-support
 * module, so that every module's tests can use one parser); and the parser's own strictness.
 */
class GraphExportDotTest {

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

    private static Map<String, String> nodeLabelled(DotGraph.Graph g, String firstLine) {
        for (Map<String, String> attrs : g.nodes().values()) {
            if (attrs.getOrDefault("label", "").split("\n")[0].equals(firstLine)) {
                return attrs;
            }
        }
        throw new AssertionError("no node whose label starts with '" + firstLine + "' in " + g.nodes());
    }

    private static String idOf(DotGraph.Graph g, String firstLine) {
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
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(t[0]));

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
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(t[0]));
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
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(y));
            assertEquals(3, g.nodes().size(), "relu, matmul and the leaf w; x needs no gradient: " + g.nodes());
            assertEquals(2, g.edges().size());
            assertEquals("relu h\n[2, 1] FLOAT32\nmean 8.000 min 5.000 max 11.00", nodeLabelled(g, "relu h").get("label"));
            assertTrue(nodeLabelled(g, "leaf").get("label").startsWith("leaf\n[2, 3] FLOAT32\nmean 3.500 min 1.000 max 6.000"));
        }

        @Test
        void aSharedInputIsOneNodeWithTwoEdges() {
            Tensor x = Tensor.scalar(3).requiresGrad(true).name("x");
            Tensor y = x.mul(x).name("y");
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(y));
            assertEquals(2, g.nodes().size());
            assertEquals(List.of("0", "1"), g.edges().stream().map(e -> e.attrs().get("label")).sorted().toList());
        }

        @Test
        void aTensorWithoutHistoryIsASingleNode() {
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(Tensor.scalar(1.5).name("k")));
            assertEquals(1, g.nodes().size());
            assertTrue(g.edges().isEmpty());
            assertTrue(g.nodes().values().iterator().next().get("label").contains("value 1.50000"));
        }

        @Test
        void quotesAndBackslashesInNamesAreEscaped() {
            Tensor x = Tensor.scalar(1).requiresGrad(true).name("say \"hi\" \\ bye");
            DotGraph.Graph g = DotGraph.parse(GraphExport.toDot(x.exp()));
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
            DotGraph.Graph g = DotGraph.parse(dot);
            assertEquals(100_001, g.nodes().size());
            assertEquals(100_000, g.edges().size());
        }
    }

    @Nested
    class Parser {

        @Test
        void rejectsBrokenDot() {
            assertThrows(AssertionError.class, () -> DotGraph.parse("digraph g { a; b; a -> c; }"), "undeclared node");
            assertThrows(AssertionError.class, () -> DotGraph.parse("digraph g { a [label=\"x]; }"), "open string");
            assertThrows(AssertionError.class, () -> DotGraph.parse("digraph g { a; "), "missing brace");
            assertThrows(AssertionError.class, () -> DotGraph.parse("digraph g { a; } }"), "extra brace");
            assertThrows(AssertionError.class, () -> DotGraph.parse("digraph g { a [label=x; }"), "open bracket");
            assertEquals(2, DotGraph.parse("digraph g { a; b; a -> b [label=\"0\"]; }").nodes().size());
        }
    }
}
