package dev.autograd.spark;

import java.io.Serializable;

/**
 * What partitions send back and {@link TreeSum} adds: a vector (summed gradients, or for local SGD
 * parameters and optimizer state), how many vectors went into it, the loss sum, the number of samples, and
 * the tasks' compute times.
 */
final class Contribution implements Serializable {

    private static final long serialVersionUID = 1L;

    /** null when the partition had no rows in the step (a zero that costs no bytes) or {@link #floats} holds it. */
    final double[] values;
    /**
     * A task's vector of a FLOAT32 model, exactly as float32: half the bytes to send back (and a 235k-parameter
     * model's gradient then stays under Spark's 1 MiB limit for results sent directly to the driver, above which
     * they take a detour through the block manager). Sums are always doubles.
     */
    final float[] floats;
    final int vectors;
    final double loss;
    final long samples;
    final long maxNanos;
    final long sumNanos;
    /** Local SGD only: the optimizer state's layout after the parameters in {@link #values}; else null. */
    final SparkTrainer.StateLayout layout;

    Contribution(double[] values, int vectors, double loss, long samples, long maxNanos, long sumNanos) {
        this(values, null, vectors, loss, samples, maxNanos, sumNanos, null);
    }

    Contribution(double[] values, float[] floats, int vectors, double loss, long samples, long maxNanos, long sumNanos,
                 SparkTrainer.StateLayout layout) {
        this.layout = layout;
        this.values = values;
        this.floats = floats;
        this.vectors = vectors;
        this.loss = loss;
        this.samples = samples;
        this.maxNanos = maxNanos;
        this.sumNanos = sumNanos;
    }

    static Contribution empty(long nanos) {
        return new Contribution(null, 0, 0, 0, nanos, nanos);
    }

    /** The vector as doubles (a new array for a float32 one), or null for an empty contribution. */
    double[] vector() {
        if (floats == null) {
            return values;
        }
        double[] v = new double[floats.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = floats[i];
        }
        return v;
    }

    private int length() {
        return floats != null ? floats.length : values != null ? values.length : -1;
    }

    private double at(int i) {
        return floats != null ? floats[i] : values[i];
    }

    /** {@code left + right}, elementwise in that order (a new vector; the inputs are not modified). */
    static Contribution sum(Contribution left, Contribution right) {
        double[] v;
        if (left.length() < 0) {
            v = right.vector();
        } else if (right.length() < 0) {
            v = left.vector();
        } else {
            if (left.length() != right.length()) {
                throw new IllegalStateException("SparkTrainer: partitions returned vectors of lengths "
                        + left.length() + " and " + right.length());
            }
            v = new double[left.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = left.at(i) + right.at(i);
            }
        }
        return new Contribution(v, null, left.vectors + right.vectors, left.loss + right.loss, left.samples + right.samples,
                Math.max(left.maxNanos, right.maxNanos), left.sumNanos + right.sumNanos,
                left.layout != null ? left.layout : right.layout);
    }
}
