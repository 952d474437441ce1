package dev.autograd.nn.tune;

import static dev.autograd.nn.tune.SearchSpaceTest.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.data.Dataset;
import dev.autograd.nn.data.Sample;
import dev.autograd.nn.data.TensorDataset;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The validation split: deterministic, disjoint, covering, with the requested fraction. */
class ValidationSplitTest {

    /** Sample i has features [i, 10 i] and target i. */
    private static TensorDataset data(int n) {
        double[] x = new double[2 * n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    @Test
    void splitIsDeterministicDisjointAndCovering() {
        ValidationSplit<Sample> a = ValidationSplit.of(data(100), 0.2, 42);
        ValidationSplit<Sample> b = ValidationSplit.of(data(100), 0.2, 42);
        assertArrayEquals(a.validationIndices(), b.validationIndices());
        assertArrayEquals(a.trainIndices(), b.trainIndices());
        assertFalse(Arrays.equals(a.validationIndices(), ValidationSplit.of(data(100), 0.2, 43).validationIndices()));
        assertEquals(20, a.validationIndices().length);
        assertEquals(80, a.trainIndices().length);
        int[] all = IntStream.concat(Arrays.stream(a.trainIndices()), Arrays.stream(a.validationIndices())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 100).toArray(), all, "disjoint and covering");
        int[] v = a.validationIndices();
        assertArrayEquals(Arrays.stream(v).sorted().toArray(), v, "ascending");
        assertFalse(Arrays.equals(IntStream.range(0, 20).toArray(), v), "shuffled, not the first 20");
    }

    @Test
    void aTensorDatasetSplitsIntoTensorDatasetsHoldingTheRightRows() {
        ValidationSplit<Sample> s = ValidationSplit.of(data(30), 1.0 / 3, 7);
        TensorDataset validation = assertInstanceOf(TensorDataset.class, s.validation());
        TensorDataset train = assertInstanceOf(TensorDataset.class, s.train());
        assertEquals(10, validation.size());
        assertEquals(20, train.size());
        double[] targets = validation.targets().toDoubleArray();
        double[] features = validation.features().toDoubleArray();
        int[] indices = s.validationIndices();
        for (int k = 0; k < indices.length; k++) {
            assertEquals(indices[k], targets[k]);
            assertEquals(10.0 * indices[k], features[2 * k + 1]);
        }
        assertEquals(s.trainIndices()[3], train.get(3).target().item());
    }

    @Test
    void otherDatasetsSplitIntoViews() {
        Dataset<String> names = new Dataset<>() {
            @Override
            public int size() {
                return 7;
            }

            @Override
            public String get(int index) {
                return "s" + index;
            }
        };
        ValidationSplit<String> s = ValidationSplit.of(names, 0.3, 1);
        // round(0.3 * 7) = round(2.1) = 2
        assertEquals(2, s.validation().size());
        assertEquals(5, s.train().size());
        assertEquals("s" + s.validationIndices()[1], s.validation().get(1));
        assertTrue(assertThrowsIndex(s));
    }

    private static boolean assertThrowsIndex(ValidationSplit<String> s) {
        try {
            s.train().get(5);
            return false;
        } catch (IndexOutOfBoundsException e) {
            return e.getMessage().equals("ValidationSplit: index 5 is out of range for 5 samples");
        }
    }

    @Test
    void fractionsOutsideTheOpenUnitIntervalOrLeavingAPartEmptyAreRefused() {
        TensorDataset d = data(10);
        refused(() -> ValidationSplit.of(d, 0, 1), "ValidationSplit.of: the validation fraction must be strictly between 0 and 1, got 0.0");
        refused(() -> ValidationSplit.of(d, 1, 1), "got 1.0");
        refused(() -> ValidationSplit.of(d, -0.2, 1), "got -0.2");
        refused(() -> ValidationSplit.of(d, Double.NaN, 1), "got NaN");
        refused(() -> ValidationSplit.of(d, 0.01, 1),
                "ValidationSplit.of: a fraction of 0.01 of 10 samples gives 0 validation and 10 training samples; each part needs at least one");
        refused(() -> ValidationSplit.of(d, 0.97, 1), "gives 10 validation and 0 training samples");
    }
}
