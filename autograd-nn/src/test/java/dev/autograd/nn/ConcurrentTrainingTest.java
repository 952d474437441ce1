package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads training separate models at once get, bit for bit, the parameters a serial run gets: the engine's
 * per-thread state (grad mode, creation counter, kernel pool) lets nothing of one run leak into another. A
 * long training loop keeps the heap flat (with {@code -Dautograd.longTests=true}, as the properties-long
 * profile sets).
 */
class ConcurrentTrainingTest {

    private static final boolean LONG = Boolean.getBoolean("autograd.longTests");

    /** Trains an MLP 4-16-16-3 with Adam on fixed random data; returns every parameter's values, in order. */
    private static double[][] train(long seed, int steps) {
        Random random = new Random(seed);
        MLP model = MLP.builder(4, 16, 16, 3).build(new Random(seed + 1000));
        Adam optimizer = new Adam(model.parameters(), 1e-2);
        Tensor x = Tensor.randn(random, DType.FLOAT64, 32, 4);
        int[] targets = new int[32];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextInt(3);
        }
        for (int s = 0; s < steps; s++) {
            optimizer.zeroGrad();
            Losses.crossEntropy(model.forward(x), targets).backward();
            optimizer.step();
        }
        List<Tensor> parameters = model.parameters();
        double[][] values = new double[parameters.size()][];
        for (int p = 0; p < values.length; p++) {
            values[p] = parameters.get(p).toDoubleArray();
        }
        return values;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void threadsTrainingSeparateModelsMatchASerialRunBitForBit() throws Exception {
        int runs = 4;
        int steps = 60;
        double[][][] serial = new double[runs][][];
        for (int r = 0; r < runs; r++) {
            serial[r] = train(r, steps);
        }
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long seed = r;
                futures.add(pool.submit(() -> train(seed, steps)));
            }
            for (int r = 0; r < runs; r++) {
                double[][] parallel = futures.get(r).get(100, TimeUnit.SECONDS);
                for (int p = 0; p < parallel.length; p++) {
                    assertArrayEquals(serial[r][p], parallel[p], 0.0, "run " + r + ", parameter " + p);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void aLongTrainingLoopKeepsTheHeapFlat() {
        int steps = LONG ? 100_000 : 2_000;
        Random random = new Random(5);
        MLP model = MLP.builder(4, 16, 16, 3).build(new Random(6));
        Adam optimizer = new Adam(model.parameters(), 1e-3);
        Tensor x = Tensor.randn(random, DType.FLOAT64, 32, 4);
        int[] targets = new int[32];
        Runtime runtime = Runtime.getRuntime();
        long before = 0;
        for (int s = 0; s < steps; s++) {
            if (s == steps / 10) {
                System.gc();
                before = runtime.totalMemory() - runtime.freeMemory();
            }
            optimizer.zeroGrad();
            Losses.crossEntropy(model.forward(x), targets).backward();
            optimizer.step();
        }
        System.gc();
        long after = runtime.totalMemory() - runtime.freeMemory();
        // Nothing is kept from step to step; a leak of one small tensor per step would show as megabytes.
        long growth = after - before;
        assertTrue(growth < 2L << 20, "the heap grew by " + growth + " bytes over " + (steps - steps / 10) + " steps");
    }
}
