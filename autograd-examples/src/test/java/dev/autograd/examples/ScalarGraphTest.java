package dev.autograd.examples;

import dev.autograd.testing.DotGraph;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.GraphExport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The neuron o = tanh(x1*w1 + x2*w2 + b): values, trace, gradients and its graph files. */
class ScalarGraphTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("scalar-graph");

    @Test
    void computesTheNeuronAndItsGradientsAndWritesAGraphThatParses() throws Exception {
        String[] printed = new String[1];
        ScalarGraph.Result[] result = new ScalarGraph.Result[1];
        printed[0] = ExampleAssertions.capture(out -> result[0] = ScalarGraph.run(DIR, out));
        ScalarGraph.Result r = result[0];

        assertEquals(Math.sqrt(0.5), r.output(), 1e-12, "o = tanh(0.8814) = 1/sqrt(2)");
        Map<String, Double> expected = Map.of("x1", -1.5, "w1", 1.0, "x2", 0.5, "w2", 0.0, "b", 0.5);
        expected.forEach((k, v) -> assertEquals(v, r.gradients().get(k), 1e-12, "do/d" + k));
        assertEquals("tanh", r.trace().get(0).op());
        assertEquals(0.5, r.trace().get(0).inputGradients().get(0).item(), 1e-12);
        assertEquals(10, r.trace().size(), "4 ops and 5 leaves... and the output's tanh: one step per node");

        String out = printed[0];
        assertTrue(out.contains("d tanh(x)/dx = 1 - tanh(x)^2"), out);
        assertTrue(out.contains("do/dx1 = w1 * do/dn    = -1.5000   autograd -1.5000"), out);
        assertTrue(out.contains("#1 tanh o"), "the text tree:\n" + out);

        Path dotFile = DIR.resolve("neuron.dot");
        assertEquals(dotFile.toAbsolutePath().normalize(), r.files().get(0));
        DotGraph.Graph g = DotGraph.parse(Files.readString(dotFile, StandardCharsets.UTF_8));
        assertEquals(10, g.nodes().size(), "4 ops + tanh, 5 leaves");
        assertEquals(9, g.edges().size());
        assertTrue(g.nodes().values().stream().anyMatch(n -> n.get("label").equals("x1\n[] FLOAT64\nvalue 2.00000\ngrad -1.50000")),
                g.nodes().toString());
        assertTrue(g.nodes().values().stream().anyMatch(n -> n.get("label").startsWith("tanh o\n") && n.get("label").endsWith("grad 1.00000")),
                "the output shows its own gradient, 1");

        if (GraphExport.isDotAvailable()) {
            assertEquals(List.of("neuron.dot", "neuron.svg", "neuron.png"),
                    r.files().stream().map(p -> p.getFileName().toString()).toList());
            assertTrue(Files.readString(DIR.resolve("neuron.svg")).contains("<svg"));
            ExampleAssertions.assertPicture(DIR.resolve("neuron.png"), 3);
        } else {
            assertEquals(1, r.files().size());
            assertTrue(out.contains("Install the 'graphviz' package"), out);
        }
        ExampleAssertions.assertListedInReadme("scalar-graph", r.files());
    }

    @Test
    void theGraphRendersWhenGraphvizIsInstalled() throws Exception {
        Assumptions.assumeTrue(GraphExport.isDotAvailable(), "Graphviz's dot is not installed here");
        ScalarGraph.Result r = ScalarGraph.run(DIR.resolve("rendered"), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        Path svg = r.files().get(1);
        String text = Files.readString(svg);
        // Graphviz writes '-' as "&#45;" in SVG text.
        assertTrue(text.contains("<svg") && text.contains("tanh o") && text.contains("grad &#45;1.50000"),
                "the SVG draws the labels:\n" + text);
        ExampleAssertions.assertPicture(r.files().get(2), 3);
    }
}
