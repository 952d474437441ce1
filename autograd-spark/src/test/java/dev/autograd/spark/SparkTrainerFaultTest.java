package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.Module;
import dev.autograd.nn.SafeTensors;
import dev.autograd.nn.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults: a task failing on its first attempt is retried to the same parameters; a failure beyond the retries
 * stops training with an error naming the step and leaves the last checkpoint intact; resuming from a
 * checkpoint ends where an uninterrupted run ends, bit for bit.
 */
class SparkTrainerFaultTest {

    /** Failures injected so far (tasks run in this JVM in local mode). */
    private static final AtomicInteger INJECTED = new AtomicInteger();

    /**
     * A loss that throws in partition {@code partition} at step {@code step}: on the first attempt only, or on
     * every attempt.
     */
    private static SumLoss failing(int step, int partition, boolean everyAttempt) {
        return (out, y) -> {
            TaskContext tc = TaskContext.get();
            if (tc.partitionId() == partition && Integer.toString(step).equals(tc.getLocalProperty(SparkTrainer.STEP_PROPERTY))
                    && (everyAttempt || tc.attemptNumber() == 0)) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure at step " + step + ", attempt " + tc.attemptNumber());
            }
            return SparkTests.sumLoss(out, y);
        };
    }

    private static double[] train(SparkTrainer.Builder b) {
        return SparkTests.flat(b.build().fit(SparkTests.spark(), SparkTests.data()).model().parameters());
    }

    @Test
    void aTaskThatFailsOnItsFirstAttemptIsRetriedToTheSameParameters() {
        double[] clean = train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12));
        int before = INJECTED.get();
        double[] retried = train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12).loss(failing(7, 1, false)));
        assertEquals(1, INJECTED.get() - before, "exactly one attempt failed");
        assertArrayEquals(clean, retried, 0.0);
    }

    @Test
    void exhaustedRetriesStopTrainingNamingTheStepAndLeaveTheLastCheckpointIntact(@TempDir Path dir) throws IOException {
        int before = INJECTED.get();
        TrainingFailedException e = assertThrows(TrainingFailedException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.MOMENTUM, 2, 30).loss(failing(25, 0, true))
                        .checkpointDirectory(dir).checkpointEvery(10).build().fit(SparkTests.spark(), SparkTests.data()));
        assertEquals(4, INJECTED.get() - before, "local[2,4] tries a task four times");
        assertEquals(25, e.step());
        assertEquals(20, e.lastCheckpointStep());
        Path checkpoint = dir.resolve(SparkTrainer.CHECKPOINT_FILE);
        assertEquals(checkpoint, e.lastCheckpoint().orElseThrow());
        assertTrue(e.getMessage().startsWith("SparkTrainer.fit: step 25 failed after Spark's task retries"), e.getMessage());
        assertTrue(e.getMessage().contains("injected failure at step 25"), e.getMessage());
        assertTrue(e.getMessage().contains("the last checkpoint is " + checkpoint + " (after step 20)"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(checkpoint), files.toList(), "no temporary file is left beside the checkpoint");
        }

        // The checkpoint holds the model and optimizer of an uninterrupted run after 20 steps, exactly.
        TrainingResult twenty = SparkTrainerTest.trainer(SparkTrainerTest.MOMENTUM, 2, 20).build()
                .fit(SparkTests.spark(), SparkTests.data());
        SafeTensors.Contents contents = SafeTensors.read(checkpoint);
        assertEquals("20", contents.metadata().get("step"));
        Module model = SparkTests.model();
        Optimizer optimizer = SparkTrainerTest.MOMENTUM.create(model.parameters());
        model.loadStateDict(part(contents.tensors(), "model."));
        optimizer.loadState(part(contents.tensors(), "optimizer."));
        assertArrayEquals(SparkTests.flat(twenty.model().parameters()), SparkTests.flat(model.parameters()), 0.0);
        assertArrayEquals(SparkTests.flat(List.copyOf(twenty.optimizer().state().values())),
                SparkTests.flat(List.copyOf(optimizer.state().values())), 0.0);
    }

    private static Map<String, Tensor> part(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    @Test
    void resumingFromACheckpointEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) {
        double[] uninterrupted = train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 24));
        train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 10).checkpointDirectory(dir).checkpointEvery(5));
        TrainingResult resumed = SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 24)
                .resumeFrom(dir.resolve(SparkTrainer.CHECKPOINT_FILE)).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(14, resumed.history().size());
        assertEquals(11, resumed.history().get(0).step());
        assertArrayEquals(uninterrupted, SparkTests.flat(resumed.model().parameters()), 0.0);
    }

    @Test
    void localSgdResumesFromTheCheckpointOfARoundThatSteppedOverTheInterval(@TempDir Path dir) {
        // Rounds of 3 steps end at 3, 6, 9, 12: with checkpointEvery(4), the round ending at 6 passed 4 and the
        // one ending at 9 passed 8, so a 9-step run leaves its checkpoint at step 9.
        double[] uninterrupted = train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12).localSteps(3));
        train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 9).localSteps(3).checkpointDirectory(dir)
                .checkpointEvery(4));
        Path checkpoint = dir.resolve(SparkTrainer.CHECKPOINT_FILE);
        assertEquals("9", SafeTensors.read(checkpoint).metadata().get("step"));
        TrainingResult resumed = SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 12).localSteps(3)
                .resumeFrom(checkpoint).build().fit(SparkTests.spark(), SparkTests.data());
        assertEquals(1, resumed.history().size());
        assertArrayEquals(uninterrupted, SparkTests.flat(resumed.model().parameters()), 0.0);
    }

    @Test
    void resumingWithADifferentBatchSequenceIsRefused(@TempDir Path dir) {
        train(SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 2).checkpointDirectory(dir).checkpointEvery(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainerTest.trainer(SparkTrainerTest.ADAM, 2, 4).seed(99)
                        .resumeFrom(dir.resolve(SparkTrainer.CHECKPOINT_FILE)).build()
                        .fit(SparkTests.spark(), SparkTests.data()));
        assertEquals("SparkTrainer: cannot resume from " + dir.resolve(SparkTrainer.CHECKPOINT_FILE)
                + ": it was written with seed 3, this trainer has 99 (resuming needs the settings that define the batch "
                + "sequence)", e.getMessage());
    }
}
