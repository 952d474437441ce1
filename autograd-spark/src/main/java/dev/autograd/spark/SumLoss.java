package dev.autograd.spark;

import dev.autograd.Tensor;
import java.io.Serializable;

/**
 * A loss <em>summed</em> over the rows it is given, e.g. {@code (out, y) -> Losses.mse(out, y, Reduction.SUM)}.
 * Every partition sums the loss of its rows of a global batch; {@link SparkTrainer} adds the partitions'
 * gradients and divides by the global batch size, which gives the gradient of the mean loss over the global
 * batch, as single-process training with the loss's {@code MEAN} reduction computes it for the
 * classification losses (whose {@code MEAN} is over the batch). For {@code Losses.mse}, whose {@code MEAN} is
 * over every element, the {@code SUM} here gives that mean times the number of outputs per row.
 *
 * <p>It runs on executors, so it must be serializable (a lambda that captures nothing is).
 */
@FunctionalInterface
public interface SumLoss extends Serializable {

    /**
     * The loss of a block of rows, summed over the rows.
     *
     * @param outputs the model's outputs for the rows, {@code [rows, ...]}
     * @param targets the rows' targets, {@code [rows, ...]}
     * @return a 0-d tensor that requires grad
     */
    Tensor apply(Tensor outputs, Tensor targets);
}
