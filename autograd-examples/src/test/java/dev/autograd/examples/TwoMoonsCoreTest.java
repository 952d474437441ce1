package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.examples.TwoMoonsCore.Config;
import dev.autograd.examples.TwoMoonsCore.Dataset;
import dev.autograd.examples.TwoMoonsCore.Result;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The two-moons example trains to the accuracy the README promises, on data a seed fully determines. */
class TwoMoonsCoreTest {

    @Test
    void defaultConfigReachesRequiredAccuracy() {
        Result result = TwoMoonsCore.train(Config.defaults());

        assertTrue(result.accuracy() >= TwoMoonsCore.REQUIRED_ACCURACY,
                () -> "training accuracy " + result.accuracy() + " is below " + TwoMoonsCore.REQUIRED_ACCURACY);
        assertTrue(result.finalLoss() < result.initialLoss(),
                () -> "loss did not decrease: " + result.initialLoss() + " -> " + result.finalLoss());
        assertEquals(Config.defaults().steps(), result.steps());
    }

    @Test
    void sameSeedGivesSameDataSet() {
        Dataset first = TwoMoonsCore.moons(100, 7L);
        Dataset second = TwoMoonsCore.moons(100, 7L);

        assertArrayEquals(first.points().toDoubleArray(), second.points().toDoubleArray());
        assertArrayEquals(first.labels().toDoubleArray(), second.labels().toDoubleArray());
    }

    @Test
    void differentSeedGivesDifferentPoints() {
        double[] a = TwoMoonsCore.moons(100, 7L).points().toDoubleArray();
        double[] b = TwoMoonsCore.moons(100, 8L).points().toDoubleArray();

        assertFalse(Arrays.equals(a, b), "seeds 7 and 8 drew identical points");
    }

    @Test
    void dataSetHasTwoHalvesLabelledPlusAndMinusOne() {
        Dataset data = TwoMoonsCore.moons(101, 1L);

        assertArrayEquals(new int[] {101, 2}, data.points().shape());
        assertArrayEquals(new int[] {101, 1}, data.labels().shape());
        double[] labels = data.labels().toDoubleArray();
        long upper = Arrays.stream(labels).filter(l -> l == 1).count();
        long lower = Arrays.stream(labels).filter(l -> l == -1).count();
        assertEquals(50, upper);
        assertEquals(51, lower);
    }

    @Test
    void rejectsConfigurationsThatCannotTrain() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Config(1, 10, 0.1, 0L)),
                "TwoMoonsCore.Config", "samples", "1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Config(10, 0, 0.1, 0L)),
                "TwoMoonsCore.Config", "steps", "0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Config(10, 10, -0.1, 0L)),
                "TwoMoonsCore.Config", "learningRate", "-0.1");
    }

    private static void assertMentions(IllegalArgumentException e, String... fragments) {
        for (String fragment : fragments) {
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(fragment),
                    () -> "the message should mention '" + fragment + "' but was: " + e.getMessage());
        }
    }
}
