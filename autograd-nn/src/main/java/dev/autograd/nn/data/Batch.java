package dev.autograd.nn.data;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A mini-batch: the features and targets of several samples stacked along a new first axis, and the
 * indices of those samples in the data set.
 *
 * @param features {@code [B, ...]} the stacked inputs
 * @param targets  {@code [B, ...]} the stacked labels
 * @param indices  the samples' positions in the data set, in batch order (a copy is returned)
 */
public record Batch(Tensor features, Tensor targets, int[] indices) {

    /**
     * Checks the parts and copies the indices.
     *
     * @param features the stacked inputs
     * @param targets  the stacked labels
     * @param indices  the samples' positions
     */
    public Batch {
        Objects.requireNonNull(features, "Batch: features");
        Objects.requireNonNull(targets, "Batch: targets");
        indices = indices.clone();
    }

    /** @return the samples' positions in the data set (a copy) */
    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** @return the number of samples in this batch */
    public int size() {
        return indices.length;
    }

    /**
     * The targets as class indices, for {@code Losses.crossEntropy}: one whole number per sample.
     *
     * @return {@code B} class indices
     * @throws IllegalArgumentException when the targets are not one whole number per sample
     */
    public int[] targetsAsInts() {
        if (targets.numel() != indices.length) {
            throw new IllegalArgumentException("Batch: targets of shape " + Arrays.toString(targets.shape()) + " are not one"
                    + " value per sample (batch of " + indices.length + "); class indices need one whole number each");
        }
        double[] v = targets.toDoubleArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Batch: target " + v[i] + " of sample " + indices[i]
                        + " is not a whole number, so it is not a class index");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && features.equals(b.features) && targets.equals(b.targets)
                && Arrays.equals(indices, b.indices);
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, targets, Arrays.hashCode(indices));
    }

    @Override
    public String toString() {
        return "Batch(size=" + indices.length + ", features " + Arrays.toString(features.shape()) + ", targets "
                + Arrays.toString(targets.shape()) + ")";
    }
}
