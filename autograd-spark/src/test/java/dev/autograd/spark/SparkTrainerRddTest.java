package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.MLP;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.RDDBlockId;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * Training on an RDD of rows: the same parameters as single-process training and, bit for bit, as the
 * TensorDataset form, whatever the source RDD's partitioning; retried tasks and a lost cached partition change
 * nothing; bad rows are refused naming their index and lengths.
 */
class SparkTrainerRddTest {

    static final RowFormat FORMAT = RowFormat.of(DType.FLOAT64, new int[] {3}, new int[0]);

    /** Failures injected so far (tasks run in this JVM in local mode). */
    private static final AtomicInteger INJECTED = new AtomicInteger();

    /** The test data set as rows, in its order: what a user with feature vectors and labels writes. */
    static List<TrainingRow> rows() {
        TensorDataset data = SparkTests.data();
        double[] x = data.features().toDoubleArray();
        double[] y = data.targets().toDoubleArray();
        List<TrainingRow> rows = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            rows.add(TrainingRow.of(Arrays.copyOfRange(x, 3 * i, 3 * i + 3), y[i]));
        }
        return rows;
    }

    private static double[] onRdd(SparkTrainer.Builder b, JavaRDD<TrainingRow> rows) {
        return SparkTests.flat(b.build().fit(SparkTests.spark(), rows, FORMAT).model().parameters());
    }

    private static double[] onDataSet(SparkTrainer.Builder b) {
        return SparkTests.flat(b.build().fit(SparkTests.spark(), SparkTests.data()).model().parameters());
    }

    private static void assertEquivalent(String name, OptimizerFactory factory) {
        double[] reference = SparkTests.flat(SparkTrainerTest.singleProcess(factory, 50));
        // Seven source partitions of 13 or 14 rows: none lines up with the trainer's blocks.
        JavaRDD<TrainingRow> rows = SparkTests.spark().parallelize(rows(), 7);
        for (int partitions : new int[] {1, 2, 4}) {
            double[] rdd = onRdd(SparkTrainerTest.trainer(factory, partitions, 50), rows);
            double diff = SparkTests.maxRelativeDifference(List.of(Tensor.of(rdd, rdd.length)),
                    List.of(Tensor.of(reference, reference.length)));
            System.out.printf("equivalence on an RDD %s, %d partition(s): max relative difference %.3e%n", name,
                    partitions, diff);
            assertTrue(diff <= 1e-12, name + " with " + partitions + " partitions: max relative difference " + diff);
            assertArrayEquals(onDataSet(SparkTrainerTest.trainer(factory, partitions, 50)), rdd, 0.0,
                    "the TensorDataset form is the RDD form");
        }
    }

    @Test
    void sgdWithMomentumOnAnRddMatchesSingleProcessTrainingAndTheDataSetForm() {
        assertEquivalent("SGD(lr 0.1, momentum 0.9)", SparkTrainerTest.MOMENTUM);
    }

    @Test
    void adamOnAnRddMatchesSingleProcessTrainingAndTheDataSetForm() {
        assertEquivalent("Adam(lr 0.01)", SparkTrainerTest.ADAM);
    }

    /** What a user may have: feature vectors with labels. */
    record Labelled(float[] pixels, float label) implements java.io.Serializable {
    }

    @Test
    void aUserWithAnRddOfVectorsAndLabelsWritesTwoLines() {
        JavaSparkContext spark = SparkTests.spark();
        Random random = new Random(4);
        List<Labelled> points = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            float[] pixels = new float[784];
            int label = i % 10;
            for (int j = 0; j < 784; j++) {
                pixels[j] = random.nextFloat() + (j % 10 == label ? 1 : 0);
            }
            points.add(new Labelled(pixels, label));
        }
        JavaRDD<Labelled> labelled = spark.parallelize(points, 3);
        SparkTrainer trainer = SparkTrainer.builder().model(() -> MLP.builder(784, 10).build(new Random(1)).to(DType.FLOAT32))
                .optimizer(p -> new Adam(p, 0.01)).loss(SparkTests::sumLoss).batchSize(16).steps(8).partitions(2)
                .logEvery(0).build();
        // region two-lines
        JavaRDD<TrainingRow> rows = labelled.map(p -> TrainingRow.of(p.pixels(), p.label()));   // float[], float
        TrainingResult result = trainer.fit(spark, rows, RowFormat.of(DType.FLOAT32, new int[] {784}, new int[0]));
        // endregion
        assertEquals(8, result.history().size());
        assertEquals(DType.FLOAT32, result.model().parameters().get(0).dtype());
        double first = result.history().get(0).loss();
        double last = result.history().get(7).loss();
        assertTrue(last < first - 0.1, "loss " + first + " -> " + last);
    }

    @Test
    void anRddThatCameOutOfAShuffleAndWasSortedGivesTheSameParameters() {
        // The rows with their positions, shuffled into 7 slices, then sorted back by position into 3 range
        // partitions of uneven sizes: the order is the data set's, the partitioning nothing like the trainer's.
        List<TrainingRow> rows = rows();
        List<Tuple2<Integer, TrainingRow>> pairs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            pairs.add(new Tuple2<>(i, rows.get(i)));
        }
        Collections.shuffle(pairs, new Random(3));
        JavaRDD<TrainingRow> sorted = SparkTests.spark().parallelize(pairs, 7).sortBy(Tuple2::_1, true, 3)
                .map(Tuple2::_2);
        assertEquals(3, sorted.getNumPartitions());
        assertArrayEquals(onDataSet(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 4, 20)),
                onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 4, 20), sorted), 0.0);
    }

    @Test
    void failedFirstAttemptsOfTheRowsAndOfAStepAreRetriedToTheSameParameters() {
        double[] clean = onDataSet(SparkTrainerTest.trainer(SparkTrainerTest.MOMENTUM, 2, 12));
        int before = INJECTED.get();
        // Source partition 2 fails on the first attempt of every job that reads it (counting, partitioning).
        JavaRDD<TrainingRow> flaky = SparkTests.spark().parallelize(rows(), 3).map(r -> {
            TaskContext tc = TaskContext.get();
            if (tc.partitionId() == 2 && tc.attemptNumber() == 0) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure reading rows, attempt " + tc.attemptNumber());
            }
            return r;
        });
        SumLoss failingAtStep5 = (out, y) -> {
            TaskContext tc = TaskContext.get();
            if (tc.partitionId() == 1 && "5".equals(tc.getLocalProperty(SparkTrainer.STEP_PROPERTY))
                    && tc.attemptNumber() == 0) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure at step 5");
            }
            return SparkTests.sumLoss(out, y);
        };
        double[] retried = onRdd(SparkTrainerTest.trainer(SparkTrainerTest.MOMENTUM, 2, 12).loss(failingAtStep5), flaky);
        assertEquals(3, INJECTED.get() - before, "the counting job, the partitioning job and step 5 each failed once");
        assertArrayEquals(clean, retried, 0.0);
    }

    @Test
    void aLostCachedPartitionIsRecomputedFromItsLineageToTheSameParameters() {
        double[] clean = onDataSet(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12));
        int[] cachedAfter = new int[13];
        SparkTrainer.Builder b = SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12).listener(s -> {
            if (s.step() == 6) {
                // What losing an executor does: its cached blocks and its replicas are gone.
                for (int id : SparkTests.spark().getPersistentRDDs().keySet()) {
                    SparkEnv.get().blockManager().master().removeRdd(id, true);
                }
                Replicas.clear();
            }
            cachedAfter[(int) s.step()] = cachedPartitions();
        });
        double[] recomputed = onRdd(b, SparkTests.spark().parallelize(rows(), 5));
        assertEquals(2, cachedAfter[5], "both blocks cached before the loss");
        assertEquals(0, cachedAfter[6], "no block cached right after the loss");
        assertEquals(2, cachedAfter[7], "step 7 recomputed both blocks");
        assertArrayEquals(clean, recomputed, 0.0);
        assertEquals(0, SparkTests.spark().getPersistentRDDs().size(), "the trainer unpersisted its blocks");
    }

    /** The cached blocks of the persisted RDDs, as the (only, in local mode) block manager holds them now. */
    private static int cachedPartitions() {
        int n = 0;
        for (var rdd : SparkTests.spark().getPersistentRDDs().entrySet()) {
            for (int p = 0; p < rdd.getValue().getNumPartitions(); p++) {
                n += SparkEnv.get().blockManager().getStatus(new RDDBlockId(rdd.getKey(), p)).isDefined() ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void anEmptyRddIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1), SparkTests.spark().emptyRDD()));
        assertEquals("SparkTrainer.fit: the RDD of rows is empty", e.getMessage());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1),
                        SparkTests.spark().parallelize(rows().subList(0, 15), 2)));
        assertEquals("SparkTrainer.fit: the RDD has 15 rows, fewer than the batch size 16; lower batchSize",
                few.getMessage());
        IllegalArgumentException partitions = assertThrows(IllegalArgumentException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 17, 1),
                        SparkTests.spark().parallelize(rows().subList(0, 16), 2)));
        assertEquals("SparkTrainer.fit: the RDD has 16 rows, fewer than the 17 partitions; lower partitions",
                partitions.getMessage());
    }

    @Test
    void aRowOfTheWrongLengthsIsNamedWithItsIndexAndTheBlocksAreUnpersisted() {
        List<TrainingRow> rows = new ArrayList<>(rows());
        rows.set(37, TrainingRow.of(new double[] {1, 2}, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1), SparkTests.spark().parallelize(rows, 3)));
        assertEquals("SparkTrainer.fit: row 37 has 2 feature values and 2 target values; the RowFormat[features "
                + "FLOAT64 [3], target FLOAT64 []] wants 3 and 1", e.getMessage());
        assertEquals(0, SparkTests.spark().getPersistentRDDs().size(), "the trainer unpersisted its blocks");
    }

    @Test
    void rowsThatCannotBeReadStopFitBeforeTheFirstStepNamingTheJob() {
        JavaRDD<TrainingRow> broken = SparkTests.spark().parallelize(rows(), 2).map(r -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
        });
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1), broken));
        assertTrue(e.getMessage().startsWith("SparkTrainer.fit: counting the rows failed after Spark's task retries: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
        assertEquals(0, SparkTests.spark().getPersistentRDDs().size());
    }

    @Test
    void aNullRowIsNamedWithItsIndex() {
        List<TrainingRow> rows = new ArrayList<>(rows());
        rows.set(90, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onRdd(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 4, 1), SparkTests.spark().parallelize(rows, 2)));
        assertEquals("SparkTrainer.fit: row 90 of the RDD is null", e.getMessage());
    }

    @Test
    void nullArgumentsAreNamed() {
        SparkTrainer t = SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1).build();
        JavaRDD<TrainingRow> rows = SparkTests.spark().parallelize(rows(), 2);
        assertEquals("SparkTrainer.fit: the RDD of rows is null", assertThrows(NullPointerException.class,
                () -> t.fit(SparkTests.spark(), null, FORMAT)).getMessage());
        assertEquals("SparkTrainer.fit: the row format is null", assertThrows(NullPointerException.class,
                () -> t.fit(SparkTests.spark(), rows, null)).getMessage());
        assertEquals("TrainingRow.of: the features array is null", assertThrows(NullPointerException.class,
                () -> TrainingRow.of((double[]) null, 1.0)).getMessage());
        assertEquals("TrainingRow.of: the target array is null", assertThrows(NullPointerException.class,
                () -> TrainingRow.of(new float[1], (float[]) null)).getMessage());
    }

    @Test
    void aPartitionTooLargeForOneJavaArrayIsRefusedBeforeAnyRowMoves() {
        // 96 rows of 2^25 features in one partition: 3,221,225,472 values, beyond a Java array.
        RowFormat wide = RowFormat.of(DType.FLOAT32, new int[] {1 << 25}, new int[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 1, 1).build().fit(SparkTests.spark(),
                        SparkTests.spark().parallelize(rows(), 2), wide));
        assertEquals("SparkTrainer.fit: a partition of 96 rows of RowFormat[features FLOAT32 [33554432], target FLOAT32 "
                + "[]] holds 3221225472 values, more than one Java array holds (2147483639); raise partitions",
                e.getMessage());
    }
}
