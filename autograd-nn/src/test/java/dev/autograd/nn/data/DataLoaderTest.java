package dev.autograd.nn.data;

import dev.autograd.nn.NnTestSupport;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Data sets and mini-batches: batching, drop-last, seeded per-epoch shuffling, stacking. */
class DataLoaderTest {

    /** 10 samples: features [i, 10 i], target i. */
    private static TensorDataset tenSamples() {
        double[] x = new double[20];
        double[] y = new double[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, 10, 2), Tensor.of(y, 10));
    }

    private static List<Batch> epoch(DataLoader loader) {
        List<Batch> out = new ArrayList<>();
        loader.forEach(out::add);
        return out;
    }

    @Test
    void tensorDatasetIndexesTheFirstAxis() {
        TensorDataset d = tenSamples();
        assertEquals(10, d.size());
        Sample s = d.get(3);
        assertArrayEquals(new double[] {3, 30}, s.features().toDoubleArray());
        assertEquals(3, s.target().item());
        NnTestSupport.assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> d.get(10)), "TensorDataset.get", "10");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4))), "TensorDataset");
    }

    @Test
    void batchesInOrderWithAPartialLastBatch() {
        DataLoader loader = DataLoader.builder(tenSamples()).batchSize(4).build();
        List<Batch> batches = epoch(loader);
        assertEquals(3, loader.batchCount());
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0).indices());
        assertArrayEquals(new int[] {8, 9}, batches.get(2).indices());
        assertArrayEquals(new int[] {4, 2}, batches.get(0).features().shape());
        assertArrayEquals(new double[] {8, 80, 9, 90}, batches.get(2).features().toDoubleArray());
        assertArrayEquals(new int[] {8, 9}, batches.get(2).targetsAsInts());
        assertEquals(2, batches.get(2).size());
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader loader = DataLoader.builder(tenSamples()).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.batchCount());
        assertEquals(2, epoch(loader).size());
    }

    @Test
    void shufflingIsAPermutationFixedBySeedAndEpoch() {
        DataLoader a = DataLoader.builder(tenSamples()).batchSize(3).shuffle(42).build();
        DataLoader b = DataLoader.builder(tenSamples()).batchSize(3).shuffle(42).build();
        int[] epoch0 = concat(epoch(a));
        int[] epoch1 = concat(epoch(a));
        assertArrayEquals(epoch0, concat(epoch(b)), "same seed, same first epoch");
        assertArrayEquals(epoch1, concat(epoch(b)), "same seed, same second epoch");
        assertFalse(Arrays.equals(epoch0, epoch1), "a new epoch reshuffles");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.stream(epoch0).sorted().toArray());
        assertFalse(Arrays.equals(epoch0, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        DataLoader other = DataLoader.builder(tenSamples()).batchSize(3).shuffle(43).build();
        assertFalse(Arrays.equals(epoch0, concat(epoch(other))), "another seed, another order");
        assertEquals(2, a.epoch());
        a.setEpoch(1);
        assertArrayEquals(epoch1, concat(epoch(a)), "resuming at an epoch repeats its order");
        assertArrayEquals(epoch1, a.order(1));
    }

    @Test
    void featuresAndTargetsStayPaired() {
        DataLoader loader = DataLoader.builder(tenSamples()).batchSize(4).shuffle(7).build();
        for (Batch b : loader) {
            double[] f = b.features().toDoubleArray();
            int[] t = b.targetsAsInts();
            for (int i = 0; i < b.size(); i++) {
                assertEquals(t[i], f[2 * i]);
                assertEquals(10.0 * t[i], f[2 * i + 1]);
            }
        }
    }

    @Test
    void otherDatasetsAreStackedSampleBySample() {
        Dataset<Sample> squares = new Dataset<>() {
            @Override
            public int size() {
                return 5;
            }

            @Override
            public Sample get(int index) {
                return new Sample(Tensor.full(index, 2, 2), Tensor.scalar(index * index));
            }
        };
        List<Batch> batches = epoch(DataLoader.builder(squares).batchSize(2).build());
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {2, 2, 2}, batches.get(1).features().shape());
        assertArrayEquals(new int[] {4, 9}, batches.get(1).targetsAsInts());
    }

    @Test
    void iteratorAndBatchContracts() {
        Iterator<Batch> it = DataLoader.builder(tenSamples()).batchSize(10).build().iterator();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tenSamples()).batchSize(0)), "DataLoader");
        Batch fractional = new Batch(Tensor.zeros(1, 1), Tensor.of(new double[] {0.5}, 1), new int[] {0});
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, fractional::targetsAsInts), "Batch");
    }

    private static int[] concat(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }
}
