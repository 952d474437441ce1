package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            // Runs where Graphviz is installed too (CI): the program is pointed at a path that does not exist.
            String previous = System.getProperty(GraphExport.DOT_PROPERTY);
            System.setProperty(GraphExport.DOT_PROPERTY, "/nonexistent/graphviz/dot");
            try {
                assertFalse(GraphExport.isDotAvailable());
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> GraphExport.render("digraph { }", OUT.resolve("none.svg")));
                assertTrue(e.getMessage().contains("'graphviz' package"), e.getMessage());
                assertTrue(e.getMessage().contains("apt-get install graphviz"), e.getMessage());
                assertFalse(Files.exists(OUT.resolve("none.svg")));
            } finally {
                if (previous == null) {
                    System.clearProperty(GraphExport.DOT_PROPERTY);
                } else {
                    System.setProperty(GraphExport.DOT_PROPERTY, previous);
                }
            }
        }
    }

}
