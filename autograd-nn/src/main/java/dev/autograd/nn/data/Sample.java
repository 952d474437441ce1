package dev.autograd.nn.data;

import dev.autograd.Tensor;
import java.util.Objects;

/**
 * One training example: its features and its target (a class index held as a whole number, or a
 * regression value).
 *
 * @param features the input, e.g. {@code [2]} or {@code [1, 8, 8]}
 * @param target   the label, e.g. a 0-d tensor or {@code [1]}
 */
public record Sample(Tensor features, Tensor target) {

    /**
     * Checks that both parts are present.
     *
     * @param features the input
     * @param target   the label
     */
    public Sample {
        Objects.requireNonNull(features, "Sample: features");
        Objects.requireNonNull(target, "Sample: target");
    }
}
