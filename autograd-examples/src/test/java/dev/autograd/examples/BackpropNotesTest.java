package dev.autograd.examples;

import dev.autograd.testing.DotGraph;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backprop notes: hand gradients (delta formulas) equal autograd's, and gradient descent by hand works. */
class BackpropNotesTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("backprop-notes");

    @Test
    void handGradientsEqualAutogradsAndGradientDescentLowersTheLoss() throws Exception {
        BackpropNotes.Result[] result = new BackpropNotes.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = BackpropNotes.run(DIR, BackpropNotes.Config.defaults(), o));
        BackpropNotes.Result r = result[0];

        assertTrue(r.maxDifference() < 1e-10, "largest |hand - autograd| " + r.maxDifference());
        assertEquals(List.of("W1", "W2", "b1", "b2"), r.differences().keySet().stream().sorted().toList());
        for (String name : r.differences().keySet()) {
            double[] hand = r.handGradients().get(name);
            double[] auto = r.autoGradients().get(name);
            assertEquals(hand.length, auto.length, name);
            for (int i = 0; i < hand.length; i++) {
                assertEquals(auto[i], hand[i], 1e-10, name + "[" + i + "]");
            }
            assertTrue(java.util.Arrays.stream(hand).anyMatch(v -> Math.abs(v) > 1e-6), name + " has a real gradient");
        }
        assertEquals(3 * 4, r.handGradients().get("W1").length, "W1 is [hidden, inputs] = [4, 3]");
        assertTrue(r.maxStepDifference() < 1e-10, "every gradient-descent step agrees with autograd");
        assertEquals(BackpropNotes.Config.defaults().steps() + 1, r.losses().size());
        for (int i = 1; i < r.losses().size(); i++) {
            assertTrue(r.losses().get(i) < r.losses().get(i - 1), "the loss falls at every step: " + r.losses());
        }

        assertTrue(out.contains("delta2 = (a2 - y) * g'(z2)"), out);
        assertTrue(out.contains("dL/dW1[0,0]"), out);
        assertTrue(out.contains("largest |hand - autograd| = "), out);
        assertTrue(out.contains("== 4. Every chain-rule step of a scalar graph"), out);

        DotGraph.Graph network = DotGraph.parse(Files.readString(DIR.resolve("network.dot"), StandardCharsets.UTF_8));
        for (String param : List.of("W1", "b1", "W2", "b2")) {
            assertTrue(network.nodes().values().stream().anyMatch(n -> n.get("label").startsWith(param + "\n")
                    && n.get("label").contains("\ngrad ")), param + " is drawn with its gradient");
        }
        DotGraph.parse(Files.readString(DIR.resolve("neuron.dot"), StandardCharsets.UTF_8));
        ExampleAssertions.assertPicture(DIR.resolve("gradient-descent.png"), 3);
        assertTrue(r.files().contains(DIR.resolve("gradient-descent.png").toAbsolutePath().normalize()), r.files().toString());
        ExampleAssertions.assertListedInReadme("backprop-notes", r.files());
    }

    @Test
    void badSettingsAreRejected() {
        org.junit.jupiter.api.Assertions.assertTrue(assertThrows(IllegalArgumentException.class, () -> new BackpropNotes.Config(0, 4, 2, 1, 1.0, 1)).getMessage().startsWith("BackpropNotes:"));
        org.junit.jupiter.api.Assertions.assertTrue(assertThrows(IllegalArgumentException.class, () -> new BackpropNotes.Config(3, 4, 2, 1, 0.0, 1)).getMessage().startsWith("BackpropNotes:"));
    }
}
