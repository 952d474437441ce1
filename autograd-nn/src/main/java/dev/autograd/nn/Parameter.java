package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.Tensor;

/**
 * Parameters are plain {@link Tensor}s: a parameter is a leaf tensor that requires grad and is registered
 * in a {@link Module} under a name (PyTorch's {@code nn.Parameter} is a tensor too). {@code Tensor} is a
 * final class, so there is no subclass: this class only makes such tensors.
 *
 * <pre>{@code
 * Tensor w = Parameter.of(Tensor.randn(rng, 3, 4));   // a fresh leaf that requires grad
 * }</pre>
 *
 * <p>To freeze a parameter, call {@code p.requiresGrad(false)}: backward then leaves its gradient
 * {@code null} and every optimizer skips it.
 */
public final class Parameter {

    private Parameter() {
    }

    /**
     * A new leaf holding a copy of {@code values}' data, cut from any graph, that requires grad.
     *
     * @param values the initial values (any dtype)
     * @return a new tensor with {@code requiresGrad() == true} and no gradient
     */
    public static Tensor of(Tensor values) {
        Tensor copy;
        try (var scope = Autograd.noGrad()) {
            copy = Tensor.zerosLike(values).copyFrom(values.detach());
        }
        return copy.requiresGrad(true);
    }

    /**
     * A new FLOAT64 leaf with these values that requires grad.
     *
     * @param values the values, row-major
     * @param shape  the extents
     * @return a new parameter tensor
     */
    public static Tensor of(double[] values, int... shape) {
        return Tensor.of(values, shape).requiresGrad(true);
    }
}
