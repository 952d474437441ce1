package dev.autograd.spark;

/**
 * What one training step (or, for local SGD, one averaging round) cost and gave, as measured on the driver
 * and inside the tasks.
 *
 * @param step             the global step after this one (1 after the first); for local SGD the last step of
 *                         the round
 * @param epoch            the epoch of the step's global batch, from 0
 * @param loss             the mean loss over the step's global batch (for local SGD: over the round's batches)
 *                         at the parameters it started from
 * @param examples         the samples the step processed (the global batch size, times k for local SGD)
 * @param wallNanos        the driver's time for the whole step: broadcast, the Spark job, the optimizer step
 * @param broadcastNanos   the driver's time to flatten and broadcast the parameters
 * @param jobNanos         the driver's time in the Spark job: scheduling, the tasks, sending the results back
 *                         and {@code treeAggregate}'s sums
 * @param updateNanos      the driver's time to turn the sum into gradients and take the optimizer step (for
 *                         local SGD: to load the averages)
 * @param maxComputeNanos  the longest time any task spent computing: loading the parameters, forward,
 *                         backward, reading out the gradients (the critical path of the computation)
 * @param sumComputeNanos  the time all tasks spent computing together
 * @param broadcastBytes   the bytes of parameters (and, for local SGD, optimizer state) broadcast
 */
public record StepStats(long step, long epoch, double loss, long examples, long wallNanos, long broadcastNanos,
                        long jobNanos, long updateNanos, long maxComputeNanos, long sumComputeNanos,
                        long broadcastBytes) {

    /**
     * The share of the step not spent computing: {@code 1 - maxComputeNanos / wallNanos}, i.e. broadcast,
     * scheduling, serialisation, aggregation and the driver's update. In {@code [0, 1]}.
     *
     * @return the communication (and coordination) share of the step
     */
    public double communicationShare() {
        if (wallNanos <= 0) {
            return 0;
        }
        return Math.max(0, Math.min(1, 1 - (double) maxComputeNanos / wallNanos));
    }

    /** @return samples per second over this step's wall time */
    public double examplesPerSecond() {
        return wallNanos <= 0 ? 0 : examples * 1e9 / wallNanos;
    }
}
