package dev.autograd.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The data package at its edges: the first and last valid index and the first invalid one, the epoch counter's
 * lower bound, the documented shuffle (a Fisher-Yates permutation from {@code Random(seed ^ (0x9E3779B97F4A7C15 *
 * (epoch + 1)))}, so that a run can be reproduced outside this library), and a batch's equality.
 */
class DataEdgesTest {

    private static TensorDataset fiveSamples() {
        return new TensorDataset(Tensor.arange(10).reshape(5, 2), Tensor.of(new double[] {0, 1, 2, 3, 4}, 5));
    }

    @Test
    void indicesAreCheckedAtBothEnds() {
        TensorDataset data = fiveSamples();
        assertArrayEquals(new double[] {0, 1}, data.get(0).features().toDoubleArray());
        assertArrayEquals(new double[] {8, 9}, data.get(4).features().toDoubleArray());
        assertThrows(IndexOutOfBoundsException.class, () -> data.get(5));
        assertThrows(IndexOutOfBoundsException.class, () -> data.get(-1));
        assertArrayEquals(new double[] {4, 0}, data.batch(new int[] {4, 0}).targets().toDoubleArray());
        assertThrows(IndexOutOfBoundsException.class, () -> data.batch(new int[] {0, 5}));
        assertThrows(IndexOutOfBoundsException.class, () -> data.batch(new int[] {-1}));
    }

    @Test
    void theEpochCanBeSetToZeroButNotBelow() {
        DataLoader loader = DataLoader.builder(fiveSamples()).batchSize(2).shuffle(7).build();
        loader.setEpoch(0);
        assertEquals(0, loader.epoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loader.setEpoch(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(fiveSamples()).batchSize(0));
        assertEquals(1, DataLoader.builder(fiveSamples()).batchSize(1).build().batchSize());
    }

    @Test
    void theShuffleIsTheDocumentedFisherYatesPermutation() {
        int n = 50;
        TensorDataset data = new TensorDataset(Tensor.zeros(n, 1), Tensor.zeros(n));
        long seed = 12345;
        DataLoader loader = DataLoader.builder(data).batchSize(8).shuffle(seed).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] expected = new int[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = expected[i];
                expected[i] = expected[j];
                expected[j] = t;
            }
            assertArrayEquals(expected, loader.order(epoch), "epoch " + epoch);
        }
        assertFalse(Arrays.equals(loader.order(0), loader.order(1)));
        int[] plain = DataLoader.builder(data).batchSize(8).build().order(3);
        for (int i = 0; i < n; i++) {
            assertEquals(i, plain[i]);
        }
    }

    @Test
    void batchesAreEqualWhenTheirTensorsAndIndicesAre() {
        TensorDataset data = fiveSamples();
        Batch a = data.batch(new int[] {1, 2});
        Batch same = new Batch(a.features(), a.targets(), new int[] {1, 2});
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        assertNotEquals(a, new Batch(a.features(), a.targets(), new int[] {2, 1}));
        assertNotEquals(a, new Batch(a.features(), data.batch(new int[] {1, 2}).targets(), new int[] {1, 2}));
        assertNotEquals(a, "a batch");
        assertEquals("Batch(size=2, features [2, 2], targets [2])", a.toString());
    }

    @Test
    void targetsAsIntsAcceptsWholeNumbersOnly() {
        Batch whole = new Batch(Tensor.zeros(2, 1), Tensor.of(new double[] {3, -2}, 2), new int[] {0, 1});
        assertArrayEquals(new int[] {3, -2}, whole.targetsAsInts());
        Batch half = new Batch(Tensor.zeros(2, 1), Tensor.of(new double[] {3, 0.5}, 2), new int[] {0, 1});
        assertThrows(IllegalArgumentException.class, half::targetsAsInts);
        Batch huge = new Batch(Tensor.zeros(1, 1), Tensor.of(new double[] {4e9}, 1), new int[] {0});
        assertThrows(IllegalArgumentException.class, huge::targetsAsInts);
        Batch edge = new Batch(Tensor.zeros(1, 1), Tensor.of(new double[] {Integer.MAX_VALUE}, 1), new int[] {0});
        assertArrayEquals(new int[] {Integer.MAX_VALUE}, edge.targetsAsInts());
    }
}
