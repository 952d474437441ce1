package dev.autograd.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain constructors, PyTorch's DataLoader(dataset, batch_size[, shuffle]): the builder's loaders. */
class DataLoaderConstructorTest {

    /** 5 samples: feature i, target 10 i. */
    private static TensorDataset fiveSamples() {
        return new TensorDataset(Tensor.of(new double[] {0, 1, 2, 3, 4}, 5, 1), Tensor.of(new double[] {0, 10, 20, 30, 40}, 5));
    }

    private static List<double[]> targets(DataLoader loader) {
        List<double[]> out = new ArrayList<>();
        loader.forEach(b -> out.add(b.targets().toDoubleArray()));
        return out;
    }

    @Test
    void inOrderBatchesWithTheLastOneSmaller() {
        DataLoader loader = new DataLoader(fiveSamples(), 2);
        assertEquals(2, loader.batchSize());
        assertEquals(3, loader.batchCount());
        List<double[]> t = targets(loader);
        assertEquals(3, t.size());
        assertArrayEquals(new double[] {0, 10}, t.get(0));
        assertArrayEquals(new double[] {20, 30}, t.get(1));
        assertArrayEquals(new double[] {40}, t.get(2));
    }

    @Test
    void theSeededConstructorShufflesLikeTheBuilder() {
        DataLoader plain = new DataLoader(fiveSamples(), 2, 42);
        DataLoader built = DataLoader.builder(fiveSamples()).batchSize(2).shuffle(42).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            List<double[]> a = targets(plain);
            List<double[]> b = targets(built);
            assertEquals(b.size(), a.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(b.get(i), a.get(i));
            }
        }
        // every sample exactly once per epoch
        double sum = targets(plain).stream().flatMapToDouble(java.util.Arrays::stream).sum();
        assertEquals(100, sum);
    }

    @Test
    void badArgumentsAreRefusedNamingDataLoader() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(fiveSamples(), 0));
        assertTrue(e.getMessage().startsWith("DataLoader:") && e.getMessage().contains("0"), e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> new DataLoader(null, 2, 1));
        assertTrue(n.getMessage().startsWith("DataLoader"), n.getMessage());
    }
}
