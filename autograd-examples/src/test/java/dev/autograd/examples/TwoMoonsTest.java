package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's main example trains, saves and reloads its model. */
class TwoMoonsTest {

    private static final Path OUT = Path.of("target", "examples-test", "two-moons");

    @Test
    void reachesTheRequiredAccuracyAndSavesAModelThatReloadsIdentically() throws Exception {
        TwoMoons.Config defaults = TwoMoons.Config.defaults();
        TwoMoons.Result result = TwoMoons.train(new TwoMoons.Config(defaults.samples(), defaults.epochs(),
                defaults.batchSize(), defaults.learningRate(), defaults.seed(), OUT));
        assertTrue(result.accuracy() >= TwoMoons.REQUIRED_ACCURACY, () -> "accuracy " + result.accuracy());
        assertTrue(Files.size(result.modelFile()) > 8, "model file written");
        assertTrue(result.reloadAgrees(), "reloaded model predicts the same logits");
        assertEquals(defaults.epochs(), result.lossPerEpoch().size());
        assertTrue(result.lossPerEpoch().get(result.lossPerEpoch().size() - 1) < result.lossPerEpoch().get(0) / 4,
                () -> "loss fell: " + result.lossPerEpoch());
        // The pictures: decision regions in two colours, the boundary and the points; the loss curve.
        ExampleAssertions.assertPicture(OUT.resolve(TwoMoons.DECISION_BOUNDARY_FILE), 6);
        ExampleAssertions.assertPicture(OUT.resolve(TwoMoons.LOSS_CURVE_FILE), 3);
        try (var written = Files.list(OUT)) {
            ExampleAssertions.assertListedInReadme("two-moons", written.toList());
        }
    }
}
