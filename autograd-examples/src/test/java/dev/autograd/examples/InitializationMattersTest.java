package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.examples.InitializationMatters.Config;
import dev.autograd.examples.InitializationMatters.Result;
import dev.autograd.examples.InitializationMatters.Run;
import dev.autograd.examples.InitializationMatters.Variant;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A deep network stuck with tiny weights, trained with Xavier/He; the spread per layer explains why. */
class InitializationMattersTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("initialization");
    /** The default network (the effects need its depth), fewer points and steps. */
    private static final Config QUICK = new Config(15, 64, 128, 80, 1e-3, 7L);

    private static Result result;
    private static String printed;

    @BeforeAll
    static void runOnce() {
        printed = ExampleAssertions.capture(out -> result = InitializationMatters.run(DIR, QUICK, out));
    }

    private static Run run(Variant v) {
        return result.runs().get(v.ordinal());
    }

    @Test
    void tinyWeightsLeaveTheLossFlatAtLnTwo() {
        for (Variant v : new Variant[] {Variant.TANH_SMALL, Variant.RELU_SMALL}) {
            Run r = run(v);
            // The output is the same for every point: the loss of predicting 1/2 on balanced classes.
            assertEquals(Math.log(2), r.initialLoss(), 1e-6, v.label());
            assertEquals(r.initialLoss(), r.finalLoss(), 1e-3 * r.initialLoss(), v.label() + " stays within 0.1%");
            assertEquals(0.5, r.accuracy(), 1e-9, v.label());
            // Each layer scales the spread by about 0.01 * sqrt(64) (* the slope): 14 layers later, nothing is left.
            double[] std = r.activationStd();
            assertTrue(std[std.length - 1] < 1e-12, v.label() + ": " + std[std.length - 1]);
            for (int i = 1; i < std.length; i++) {
                assertTrue(std[i] < 0.2 * std[i - 1], v.label() + " layer " + (i + 1));
            }
            assertTrue(r.firstGradNorm() < 1e-12, v.label() + ": " + r.firstGradNorm());
        }
    }

    @Test
    void xavierAndHeKeepTheSpreadAndTrain() {
        for (Variant v : new Variant[] {Variant.TANH_XAVIER, Variant.RELU_HE}) {
            Run r = run(v);
            for (double s : r.activationStd()) {
                assertTrue(s > 0.1 && s < 1, v.label() + ": " + s);
            }
            assertTrue(r.finalLoss() < r.initialLoss() / 4, v.label() + ": " + r.initialLoss() + " -> " + r.finalLoss());
            assertTrue(r.accuracy() > 0.85, v.label() + ": " + r.accuracy());
        }
    }

    @Test
    void largeWeightsSaturateTanhAndExplodeRelu() {
        assertTrue(run(Variant.TANH_LARGE).saturated() > 0.5, "tanh N(0, 1): " + run(Variant.TANH_LARGE).saturated());
        assertTrue(run(Variant.TANH_XAVIER).saturated() < 0.1);
        double[] relu = run(Variant.RELU_LARGE).activationStd();
        // sqrt(64 / 2) = 5.7 per layer.
        assertTrue(relu[relu.length - 1] > 1e8, "ReLU N(0, 1): " + relu[relu.length - 1]);
    }

    @Test
    void repeatsForTheSameSeedAndRefusesBadSizes() {
        Config tiny = new Config(4, 8, 16, 3, 1e-3, 3L);
        Result a = InitializationMatters.run(DIR.resolve("repeat-a"), tiny, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        Result b = InitializationMatters.run(DIR.resolve("repeat-b"), tiny, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        for (int i = 0; i < a.runs().size(); i++) {
            assertArrayEquals(a.runs().get(i).losses(), b.runs().get(i).losses());
            assertArrayEquals(a.runs().get(i).activationStd(), b.runs().get(i).activationStd());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(1, 64, 128, 10, 1e-3, 1))
                .getMessage().startsWith("InitializationMatters.Config"));
        assertThrows(IllegalArgumentException.class, () -> new Config(15, 0, 128, 10, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new Config(15, 64, 128, Integer.MIN_VALUE, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new Config(15, 64, 128, 10, Double.POSITIVE_INFINITY, 1));
    }

    @Test
    void printsTheTablesAndDrawsBothCharts() throws Exception {
        assertTrue(printed.contains("standard deviation of each hidden layer's activations at initialisation"), printed);
        assertTrue(printed.contains("tanh, N(0, 0.01\u00b2)"), printed);
        assertEquals(List.of(DIR.resolve("activation-std.png").toAbsolutePath(), DIR.resolve("loss.png").toAbsolutePath()),
                result.files().stream().map(Path::toAbsolutePath).toList());
        for (Path chart : result.files()) {
            ExampleAssertions.assertPicture(chart, 5);
        }
        ExampleAssertions.assertListedInReadme("initialization", result.files());
    }
}
