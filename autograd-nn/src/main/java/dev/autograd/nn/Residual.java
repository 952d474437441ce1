package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;

/**
 * A residual (skip) connection around a module (He et al. 2016): {@code y = x + f(x)}. The gradient reaches
 * {@code x} both through {@code f} and directly, which keeps deep stacks trainable. The wrapped module is
 * registered as {@code "fn"}.
 */
public final class Residual extends Module {

    private final Module fn;

    /**
     * Wraps {@code fn}.
     *
     * @param fn a module whose output has its input's shape
     */
    public Residual(Module fn) {
        this.fn = registerModule("fn", fn);
    }

    /**
     * {@code x + f(x)}.
     *
     * @param x the input
     * @return a tensor of the input's shape
     * @throws IllegalArgumentException when {@code f(x)} has another shape (no silent broadcasting)
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor fx = fn.forward(x);
        if (!Arrays.equals(fx.shape(), x.shape())) {
            throw new IllegalArgumentException("Residual: the wrapped " + fn.getClass().getSimpleName() + " maps "
                    + Arrays.toString(x.shape()) + " to " + Arrays.toString(fx.shape()) + "; x + f(x) needs f to keep the shape");
        }
        return x.add(fx);
    }

    /** @return the wrapped module */
    public Module fn() {
        return fn;
    }
}
