package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A small, seeded run of the RNN-versus-LSTM example: at initialisation the RNN's gradient through time
 * vanishes and the LSTM's does not; after training the LSTM remembers the first symbol over the longest
 * sequences and the RNN does not; clipping holds every step's norm to the threshold; the charts are written
 * and listed in the README.
 */
class RecurrentGradientsTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("recurrent-gradients");

    @Test
    void anLstmLearnsWhereTheRnnsGradientVanishes() throws Exception {
        RecurrentGradients.Config d = RecurrentGradients.Config.defaults();
        RecurrentGradients.Config small = new RecurrentGradients.Config(List.of(5, 40), d.symbols(), 16, d.batchSize(), 400,
                d.learningRate(), d.maxNorm(), 256, d.forgetBias(), d.seed());
        RecurrentGradients.Result[] result = new RecurrentGradients.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = RecurrentGradients.run(DIR, small, o));
        RecurrentGradients.Result r = result[0];

        // At initialisation: over 40 steps the RNN's gradient shrinks by orders of magnitude, the LSTM's barely.
        double[] rnn = r.gradientAtInit().get("RNN");
        double[] lstm = r.gradientAtInit().get("LSTM");
        assertEquals(40, rnn.length);
        assertTrue(rnn[0] < 1e-6 * rnn[39], () -> "the RNN's gradient vanishes: " + rnn[0] + " vs " + rnn[39]);
        assertTrue(lstm[0] > 1e-1 * lstm[39], () -> "the LSTM's does not: " + lstm[0] + " vs " + lstm[39]);

        // Both learn short sequences; at the longest, the LSTM remembers and the RNN is near chance.
        assertTrue(r.run("RNN", 5).accuracy() > 0.95, () -> "RNN at T = 5: " + r.run("RNN", 5));
        assertTrue(r.run("LSTM", 5).accuracy() > 0.95, () -> "LSTM at T = 5: " + r.run("LSTM", 5));
        assertTrue(r.run("LSTM", 40).accuracy() > 0.9, () -> "LSTM at T = 40: " + r.run("LSTM", 40));
        assertTrue(r.run("RNN", 40).accuracy() < 0.4, () -> "RNN at T = 40: " + r.run("RNN", 40));
        for (String model : RecurrentGradients.MODELS) {
            for (RecurrentGradients.Run run : r.runs().get(model)) {
                assertEquals(small.steps(), run.gradNorms().size());
                assertTrue(run.trainLosses().stream().allMatch(Double::isFinite), run::toString);
            }
        }

        assertEquals(40, r.unclippedRnn().length());
        assertEquals(0, r.unclippedRnn().clippedSteps());
        assertTrue(out.contains("RNN at T = 40 without clipping"), out);
        assertTrue(out.contains("     T       RNN      LSTM"), out);
        assertTrue(out.contains("||dL/dx_t|| at T = 40"), out);
        for (String file : List.of(RecurrentGradients.GRADIENT_THROUGH_TIME_FILE, RecurrentGradients.ACCURACY_FILE,
                RecurrentGradients.LOSS_FILE, RecurrentGradients.TRAINING_NORM_FILE)) {
            ExampleAssertions.assertPicture(DIR.resolve(file), 4);
        }
        assertEquals(4, r.files().size());
        ExampleAssertions.assertListedInReadme("recurrent-gradients", r.files());
    }
}
