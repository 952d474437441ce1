package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import dev.autograd.nn.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Equivalence: for the same global batches, training on Spark with 1, 2 and 4 partitions gives the parameters
 * of single-process training, within 1e-12 relative after 50 steps in FLOAT64 (only the order of summation
 * differs); runs are bit-for-bit reproducible; local SGD with one replica is the synchronous run.
 */
class SparkTrainerTest {

    private static final int STEPS = 50;
    private static final int BATCH = 16;
    private static final long SEED = 3;

    static final OptimizerFactory MOMENTUM = p -> new SGD(p, 0.1, 0.9);
    static final OptimizerFactory ADAM = p -> new Adam(p, 0.01);

    /** Single-process training with the loader the trainer documents and the loss's MEAN reduction. */
    static List<Tensor> singleProcess(OptimizerFactory factory, int steps) {
        return singleProcess(factory, steps, BATCH, SEED);
    }

    static List<Tensor> singleProcess(OptimizerFactory factory, int steps, int batchSize, long seed) {
        TensorDataset data = SparkTests.data();
        Module model = SparkTests.model();
        Optimizer opt = factory.create(model.parameters());
        DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(seed).dropLast(true).build();
        int done = 0;
        while (done < steps) {
            for (Batch b : loader) {
                if (done == steps) {
                    break;
                }
                opt.zeroGrad();
                Losses.crossEntropy(model.forward(b.features()), b.targets()).backward();
                opt.step();
                done++;
            }
        }
        return model.parameters();
    }

    static SparkTrainer.Builder trainer(OptimizerFactory factory, int partitions, int steps) {
        return SparkTrainer.builder().model(SparkTests::model).optimizer(factory).loss(SparkTests::sumLoss)
                .batchSize(BATCH).steps(steps).seed(SEED).partitions(partitions).logEvery(0);
    }

    static List<Tensor> onSpark(SparkTrainer.Builder builder) {
        return builder.build().fit(SparkTests.spark(), SparkTests.data()).model().parameters();
    }

    private static void assertEquivalent(String name, OptimizerFactory factory) {
        List<Tensor> reference = singleProcess(factory, STEPS);
        for (int partitions : new int[] {1, 2, 4}) {
            List<Tensor> spark = onSpark(trainer(factory, partitions, STEPS));
            double diff = SparkTests.maxRelativeDifference(spark, reference);
            System.out.printf("equivalence %s, %d partition(s), %d steps: max relative difference %.3e%n", name,
                    partitions, STEPS, diff);
            assertTrue(diff <= 1e-12, name + " with " + partitions + " partitions: max relative difference " + diff);
        }
        // The parameters moved: the comparison is not between two untouched initialisations.
        assertTrue(SparkTests.maxRelativeDifference(reference, SparkTests.model().parameters()) > 1e-2);
    }

    @Test
    void sgdWithMomentumMatchesSingleProcessTrainingOn124Partitions() {
        assertEquivalent("SGD(lr 0.1, momentum 0.9)", MOMENTUM);
    }

    @Test
    void adamMatchesSingleProcessTrainingOn124Partitions() {
        assertEquivalent("Adam(lr 0.01)", ADAM);
    }

    @Test
    void aRunIsBitForBitReproducibleWhateverOrderTasksFinishIn() {
        double[] first = SparkTests.flat(onSpark(trainer(ADAM, 4, 15)));
        double[] second = SparkTests.flat(onSpark(trainer(ADAM, 4, 15)));
        assertArrayEquals(first, second, 0.0);
    }

    @Test
    void theHistoryHasOneEntryPerStepWithTheLossAtTheStartingParameters() {
        TrainingResult r = trainer(MOMENTUM, 2, 5).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(5, r.history().size());
        // Step 1's loss is the mean cross-entropy of the first global batch at the initial parameters.
        DataLoader loader = DataLoader.builder(SparkTests.data()).batchSize(BATCH).shuffle(SEED).dropLast(true).build();
        Batch first = loader.iterator().next();
        double expected = Losses.crossEntropy(SparkTests.model().forward(first.features()), first.targets()).item();
        assertEquals(expected, r.history().get(0).loss(), 1e-12);
        for (int i = 0; i < 5; i++) {
            StepStats s = r.history().get(i);
            assertEquals(i + 1, s.step());
            assertEquals(BATCH, s.examples());
            assertEquals(8L * r.model().parameterCount(), s.broadcastBytes());
            assertTrue(s.wallNanos() >= s.maxComputeNanos() && s.maxComputeNanos() > 0, s.toString());
        }
    }

    /** Models built by {@link #countedModel()} (tasks run in this JVM in local mode). */
    private static final java.util.concurrent.atomic.AtomicInteger BUILT = new java.util.concurrent.atomic.AtomicInteger();

    private static Module countedModel() {
        BUILT.incrementAndGet();
        return SparkTests.model();
    }

    @Test
    void eachPartitionBuildsItsModelOnceAndTheReplicasAreDroppedAfterTraining() {
        int before = BUILT.get();
        trainer(MOMENTUM, 3, 10).model(SparkTrainerTest::countedModel).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(1 + 3, BUILT.get() - before, "one model on the driver and one per partition, not one per step");
        assertEquals(0, Replicas.size());
    }

    @Test
    void localSgdWithOneReplicaIsSynchronousTraining() {
        // One replica averages with itself: parameters and Adam's moments make the round trip unchanged.
        List<Tensor> reference = singleProcess(ADAM, 20);
        List<Tensor> local = onSpark(trainer(ADAM, 1, 20).localSteps(5));
        double diff = SparkTests.maxRelativeDifference(local, reference);
        assertTrue(diff <= 1e-12, "local SGD with one partition: max relative difference " + diff);
    }

    @Test
    void localSgdWithTwoReplicasTrainsButIsNotSynchronousTraining() {
        TrainingResult r = trainer(MOMENTUM, 2, 40).localSteps(4).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(10, r.history().size());
        assertEquals(4, r.history().get(0).step());
        assertEquals(4 * BATCH, r.history().get(0).examples());
        double firstLoss = r.history().get(0).loss();
        double lastLoss = r.history().get(9).loss();
        assertTrue(lastLoss < 0.7 * firstLoss, "loss " + firstLoss + " -> " + lastLoss);
        double diff = SparkTests.maxRelativeDifference(r.model().parameters(), singleProcess(MOMENTUM, 40));
        assertTrue(diff > 1e-6, "averaging replicas every 4 steps should differ from synchronous training: " + diff);
    }
}
