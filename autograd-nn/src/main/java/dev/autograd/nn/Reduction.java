package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * How a loss turns its per-element values {@code l_i} into the returned tensor.
 *
 * <p>{@link #HALF_SUM} is the form of the classic backprop notes, {@code E = 1/2 sum_i (y_i - yhat_i)^2},
 * whose derivative {@code dE/dyhat_i = yhat_i - y_i} carries no factor 2.
 */
public enum Reduction {
    /** The per-element (or, for classification losses, per-sample) values, unreduced. */
    NONE,
    /** {@code (1/n) sum_i l_i}: the mean over the elements (over the batch for classification losses). */
    MEAN,
    /** {@code sum_i l_i}. */
    SUM,
    /** {@code 1/2 sum_i l_i}: with {@link Losses#mse} this is {@code 1/2 sum (y - yhat)^2}. */
    HALF_SUM;

    /**
     * Applies this reduction.
     *
     * @param values the per-element losses
     * @return {@code values} reduced (a 0-d tensor unless {@code NONE})
     */
    public Tensor apply(Tensor values) {
        return switch (this) {
            case NONE -> values;
            case MEAN -> values.mean();
            case SUM -> values.sum();
            case HALF_SUM -> values.sum().mul(0.5);
        };
    }
}
