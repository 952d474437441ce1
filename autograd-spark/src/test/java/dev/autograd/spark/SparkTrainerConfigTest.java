package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.data.TensorDataset;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Bad settings are refused with every wrong value named, before any Spark job runs. */
class SparkTrainerConfigTest {

    @Test
    void aBuilderWithNothingSetNamesEveryMissingPart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder().build());
        assertEquals("SparkTrainer.Builder.build: the model factory is null (call model(...)); the optimizer factory "
                + "is null (call optimizer(...)); the loss is null (call loss(...)); batchSize must be >= 1, got 0; "
                + "steps must be >= 1, got 0", e.getMessage());
    }

    @Test
    void outOfRangeValuesAreNamedIncludingIntegerEdges() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 0, 1).batchSize(Integer.MIN_VALUE)
                        .steps(Long.MIN_VALUE).localSteps(-1).logEvery(-5).treeDepth(0).build());
        assertEquals("SparkTrainer.Builder.build: batchSize must be >= 1, got -2147483648; steps must be >= 1, got "
                + "-9223372036854775808; partitions must be >= 1, got 0; localSteps must be >= 1, got -1; logEvery must be "
                + ">= 0, got -5; treeDepth must be >= 1, got 0", e.getMessage());
    }

    @Test
    void checkpointSettingsGoTogether() {
        IllegalArgumentException missingInterval = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1).checkpointDirectory(Path.of("x")).build());
        assertEquals("SparkTrainer.Builder.build: checkpointEvery must be >= 1 with a checkpoint directory, got 0",
                missingInterval.getMessage());
        IllegalArgumentException missingDirectory = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1).checkpointEvery(5).build());
        assertEquals("SparkTrainer.Builder.build: checkpointEvery 5 needs a checkpointDirectory",
                missingDirectory.getMessage());
    }

    @Test
    void epochsAreWholePassesWithTheLastIncompleteBatchDropped() {
        // 96 samples in batches of 10: 9 full batches per epoch.
        SparkTrainer.Builder b = SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1).batchSize(10);
        b.epochs(3, 96);
        TrainingResult r = b.logEvery(0).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(27, r.history().size());
        assertEquals(2, r.history().get(26).epoch());
        assertEquals(1, r.history().get(9).epoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.epochs(0, 96));
        assertEquals("SparkTrainer.Builder.epochs: needs epochs >= 1 and a batch size set before and at most the data "
                + "set size; got epochs 0, batchSize 10, datasetSize 96", e.getMessage());
    }

    @Test
    void aDataSetSmallerThanTheBatchOrThePartitionsIsRefused() {
        TensorDataset four = new TensorDataset(Tensor.zeros(4, 3), Tensor.zeros(4));
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 1).build().fit(SparkTests.spark(), four));
        assertEquals("SparkTrainer.fit: the data set has 4 samples, fewer than the batch size 16; lower batchSize",
                batch.getMessage());
        IllegalArgumentException partitions = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 5, 1).batchSize(2).build().fit(SparkTests.spark(), four));
        assertEquals("SparkTrainer.fit: the data set has 4 samples, fewer than the 5 partitions; lower partitions",
                partitions.getMessage());
    }

    @Test
    void aBatchSmallerThanThePartitionsLeavesSomeIdleAndStillMatchesSingleProcessTraining() {
        // A global batch of 2 over 4 partitions: at least two partitions have no row in each step.
        TensorDataset data = SparkTests.data();
        SparkTrainer t = SparkTrainer.builder().model(SparkTests::model).optimizer(SparkTrainerTest.MOMENTUM)
                .loss(SparkTests::sumLoss).batchSize(2).steps(6).seed(1).partitions(4).logEvery(0).build();
        TrainingResult r = t.fit(SparkTests.spark(), data);
        assertEquals(2, r.history().get(5).examples());
        double diff = SparkTests.maxRelativeDifference(r.model().parameters(),
                SparkTrainerTest.singleProcess(SparkTrainerTest.MOMENTUM, 6, 2, 1));
        assertTrue(diff <= 1e-12, "max relative difference " + diff);
    }

    @Test
    void aLossThatIsNotASingleValueFailsTheStepWithTheReason() {
        TrainingFailedException e = assertThrows(TrainingFailedException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 3).loss((out, y) -> out.sum(1, false)).build()
                        .fit(SparkTests.spark(), SparkTests.data()));
        assertEquals(1, e.step());
        assertEquals(0, e.lastCheckpointStep());
        assertTrue(e.getMessage().contains("SparkTrainer: the loss must return a single value that requires grad "
                + "(the loss summed over the rows), got shape ["), e.getMessage());
        assertTrue(e.getMessage().endsWith("no checkpoint was written (set checkpointDirectory and "
                + "checkpointEvery to keep one)"), e.getMessage());
    }
}
