package dev.autograd.spark;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Training stopped because a Spark job failed beyond its retries ({@code spark.task.maxFailures}): it
 * names the step that failed and the last checkpoint written, from which
 * {@link SparkTrainer.Builder#resumeFrom(Path)} continues.
 */
public final class TrainingFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The global step (from 1) whose job failed. */
    private final long step;
    /** The last checkpoint written (a Path is not serializable: lost when the exception is). */
    private final transient Path lastCheckpoint;
    /** The step the last checkpoint holds, 0 when there is none. */
    private final long lastCheckpointStep;

    TrainingFailedException(long step, Path lastCheckpoint, long lastCheckpointStep, Throwable cause) {
        super(message(step, lastCheckpoint, lastCheckpointStep, cause), cause);
        this.step = step;
        this.lastCheckpoint = lastCheckpoint;
        this.lastCheckpointStep = lastCheckpointStep;
    }

    private static String message(long step, Path checkpoint, long checkpointStep, Throwable cause) {
        String where = checkpoint == null
                ? "no checkpoint was written (set checkpointDirectory and checkpointEvery to keep one)"
                : "the last checkpoint is " + checkpoint + " (after step " + checkpointStep
                + "); resume with SparkTrainer.builder()...resumeFrom(" + checkpoint + ")";
        return "SparkTrainer.fit: step " + step + " failed after Spark's task retries (spark.task.maxFailures; in "
                + "local mode set it with a master URL local[N,maxFailures]): " + firstLine(cause) + "; " + where;
    }

    /** Spark's message carries the executor's stack trace after the first line: the cause keeps it. */
    private static String firstLine(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end);
    }

    /** @return the global step (from 1) whose Spark job failed */
    public long step() {
        return step;
    }

    /** @return the last checkpoint written before the failure, if any */
    public Optional<Path> lastCheckpoint() {
        return Optional.ofNullable(lastCheckpoint);
    }

    /** @return the step the last checkpoint holds, 0 when there is none */
    public long lastCheckpointStep() {
        return lastCheckpointStep;
    }
}
