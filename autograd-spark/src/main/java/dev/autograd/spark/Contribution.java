package dev.autograd.spark;

import java.io.Serializable;

/**
 * What partitions send back and {@link TreeSum} adds: a vector (summed gradients, or for local SGD
 * parameters and optimizer state), how many vectors went into it, the loss sum, the number of samples, and
 * the tasks' compute times.
 */
final class Contribution implements Serializable {

    private static final long serialVersionUID = 1L;

    /** null when the partition had no rows in the step: a zero that costs no bytes. */
    final double[] values;
    final int vectors;
    final double loss;
    final long samples;
    final long maxNanos;
    final long sumNanos;
    /** Local SGD only: the optimizer state's layout after the parameters in {@link #values}; else null. */
    final SparkTrainer.StateLayout layout;

    Contribution(double[] values, int vectors, double loss, long samples, long maxNanos, long sumNanos) {
        this(values, vectors, loss, samples, maxNanos, sumNanos, null);
    }

    Contribution(double[] values, int vectors, double loss, long samples, long maxNanos, long sumNanos,
                 SparkTrainer.StateLayout layout) {
        this.layout = layout;
        this.values = values;
        this.vectors = vectors;
        this.loss = loss;
        this.samples = samples;
        this.maxNanos = maxNanos;
        this.sumNanos = sumNanos;
    }

    static Contribution empty(long nanos) {
        return new Contribution(null, 0, 0, 0, nanos, nanos);
    }

    /** {@code left + right}, elementwise in that order (a new vector; the inputs are not modified). */
    static Contribution sum(Contribution left, Contribution right) {
        double[] v;
        if (left.values == null) {
            v = right.values;
        } else if (right.values == null) {
            v = left.values;
        } else {
            if (left.values.length != right.values.length) {
                throw new IllegalStateException("SparkTrainer: partitions returned vectors of lengths "
                        + left.values.length + " and " + right.values.length);
            }
            v = new double[left.values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = left.values[i] + right.values[i];
            }
        }
        return new Contribution(v, left.vectors + right.vectors, left.loss + right.loss, left.samples + right.samples,
                Math.max(left.maxNanos, right.maxNanos), left.sumNanos + right.sumNanos,
                left.layout != null ? left.layout : right.layout);
    }
}
