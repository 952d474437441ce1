package dev.autograd.nn.tune;

import static dev.autograd.nn.tune.SearchSpaceTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.nn.tune.SearchSpace.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed access to a trial's hyperparameters, reporting, and early stopping traced by hand. */
class TrialTest {

    private static Trial trial(EarlyStopping rule) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.01);
        params.put("batchSize", 32);
        params.put("opt", "adam");
        Map<String, Kind> kinds = Map.of("lr", Kind.DOUBLE, "batchSize", Kind.INT, "opt", Kind.STRING);
        return new Trial(3, 99L, params, kinds, rule);
    }

    @Test
    void gettersReturnTypedValuesAndRefuseUnknownOrWronglyTypedNames() {
        Trial t = trial(null);
        assertEquals(0.01, t.getDouble("lr"));
        assertEquals(32, t.getInt("batchSize"));
        assertEquals(32.0, t.getDouble("batchSize"), "an int widens to a double");
        assertEquals("adam", t.getString("opt"));
        assertEquals(3, t.index());
        assertEquals(99L, t.seed());
        refused(() -> t.getDouble("momentum"), "Trial.getDouble: no hyperparameter named 'momentum'; the space has [lr, batchSize, opt]");
        refused(() -> t.getInt("lr"), "Trial.getInt: 'lr' is a double hyperparameter (value 0.01); read it with getDouble");
        refused(() -> t.getString("batchSize"), "Trial.getString: 'batchSize' is a int hyperparameter (value 32); read it with getInt or getDouble");
        refused(() -> t.getDouble("opt"), "Trial.getDouble: 'opt' is a string hyperparameter (value adam); read it with getString");
    }

    /**
     * Patience 2, minDelta 0.01, minimising: epoch 0 sets the best (1.0); epoch 1 improves it (0.8 < 0.99);
     * epoch 2 (0.9) and epoch 3 (0.795: not below 0.8 - 0.01) do not, which makes 2 epochs without improvement.
     */
    @Test
    void earlyStoppingTriggersExactlyAtPatience() {
        Trial t = trial(new EarlyStopping("valLoss", Mode.MIN, 2, 0.01));
        assertFalse(t.report(0, "valLoss", 1.0));
        assertFalse(t.report(1, "valLoss", 0.8));
        assertFalse(t.report(2, "valLoss", 0.9));
        assertFalse(t.stoppedEarly());
        assertTrue(t.report(3, "valLoss", 0.795));
        assertTrue(t.stoppedEarly());
        assertTrue(t.report(4, "valLoss", 0.1), "once stopped, stays stopped");
        assertEquals(5, t.history().size());
    }

    /** Patience 3, maximising, minDelta 0.005: an improvement resets the count; NaN never improves. */
    @Test
    void earlyStoppingOnAMaximisedMetricResetsOnImprovement() {
        Trial t = trial(EarlyStopping.of("valAcc", Mode.MAX, 3));
        double[] acc = {0.5, 0.6, 0.6, 0.55, 0.61, 0.61, Double.NaN, 0.6};
        boolean[] expected = {false, false, false, false, false, false, false, true};
        for (int e = 0; e < acc.length; e++) {
            assertEquals(expected[e], t.report(e, Map.of("valAcc", acc[e], "valLoss", 1.0 - e)), "epoch " + e);
        }
        Trial d = trial(new EarlyStopping("valAcc", Mode.MAX, 2, 0.005));
        assertFalse(d.report(0, "valAcc", 0.5));
        assertFalse(d.report(1, "valAcc", 0.504));
        assertTrue(d.report(2, "valAcc", 0.5049), "0.504 and 0.5049 are within minDelta of 0.5");
    }

    @Test
    void withoutEarlyStoppingReportOnlyRecords() {
        Trial t = trial(null);
        for (int e = 0; e < 10; e++) {
            assertFalse(t.report(e, "valLoss", 5.0));
        }
        assertEquals(10, t.history().size());
        assertEquals(5.0, t.history().get(9).get("valLoss"));
    }

    @Test
    void bestFindsTheEarliestBestEpoch() {
        Trial t = trial(null);
        t.report(0, Map.of("valLoss", 0.9, "valAcc", 0.5));
        t.report(1, Map.of("valLoss", 0.4, "valAcc", 0.8));
        t.report(2, Map.of("valLoss", 0.4, "valAcc", 0.9));
        t.report(5, Map.of("valLoss", Double.NaN, "valAcc", 0.7));
        assertEquals(1, t.best("valLoss", Mode.MIN).epoch());
        assertEquals(2, t.best("valAcc", Mode.MAX).epoch());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.best("trainLoss", Mode.MIN));
        assertEquals("Trial.best: trial 3 reported no finite 'trainLoss' in 4 epochs", e.getMessage());
    }

    @Test
    void badReportsAreRefused() {
        Trial t = trial(EarlyStopping.of("valLoss", Mode.MIN, 1));
        t.report(2, "valLoss", 1.0);
        refused(() -> t.report(2, "valLoss", 1.0), "Trial.report: epochs must increase, got 2 after 2");
        refused(() -> t.report(Integer.MIN_VALUE, "valLoss", 1.0), "got -2147483648 after 2");
        refused(() -> t.report(3, Map.of()), "Trial.report: no metrics given for epoch 3");
        refused(() -> t.report(3, "valAcc", 0.5), "Trial.report: early stopping monitors 'valLoss', but epoch 3 reports only [valAcc]");
        refused(() -> new EarlyStopping("valLoss", Mode.MIN, 0, 0), "EarlyStopping: patience must be at least 1 epoch, got 0");
        refused(() -> new EarlyStopping("valLoss", Mode.MIN, Integer.MIN_VALUE, 0), "got -2147483648");
        refused(() -> new EarlyStopping("valLoss", Mode.MIN, 1, -0.1), "EarlyStopping: minDelta must be finite and >= 0, got -0.1");
        refused(() -> new EarlyStopping("valLoss", Mode.MIN, 1, Double.NaN), "got NaN");
        refused(() -> new EarlyStopping(" ", Mode.MIN, 1, 0), "EarlyStopping: the monitored metric's name is blank");
        assertEquals(List.of(2), t.history().stream().map(EpochRecord::epoch).toList());
    }
}
