package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * Inverted dropout (Srivastava et al. 2014): in training mode each element is zeroed with probability
 * {@code p} and the survivors are scaled by {@code 1 / (1 - p)}, so that the expected output equals the
 * input: {@code y = x * m / (1 - p)} with {@code m ~ Bernoulli(1 - p)}. In evaluation mode it is the
 * identity. Masks are drawn from the {@link Random} given at construction, so a seeded run repeats.
 *
 * <p>For tests (e.g. a gradient check, which needs a deterministic function), {@link #useFixedMask(Tensor)}
 * replaces the random draw by a given 0/1 mask.
 */
public final class Dropout extends Module {

    private final double p;
    private final Random random;
    private Tensor fixedMask;

    /**
     * Dropout with drop probability {@code p}.
     *
     * @param p      the probability of zeroing an element, in {@code [0, 1]}
     * @param random the source of the masks
     * @throws IllegalArgumentException when {@code p} is outside {@code [0, 1]}
     */
    public Dropout(double p, Random random) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.random = Objects.requireNonNull(random, "Dropout: random");
    }

    /**
     * In training mode, {@code x * m / (1 - p)}; in evaluation mode (or with {@code p = 0}), {@code x}.
     * With {@code p = 1} every element is zeroed.
     *
     * @param x any shape
     * @return a tensor of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0.0);
        }
        Tensor mask;
        if (fixedMask != null) {
            if (!Arrays.equals(fixedMask.shape(), x.shape()) || fixedMask.dtype() != x.dtype()) {
                throw new IllegalArgumentException("Dropout: the fixed mask is " + fixedMask.dtype() + " "
                        + Arrays.toString(fixedMask.shape()) + " but the input is " + x.dtype() + " "
                        + Arrays.toString(x.shape()) + "; they must match");
            }
            mask = fixedMask;
        } else {
            // P(u >= p) = 1 - p for u uniform in [0, 1).
            mask = Tensor.rand(random, x.dtype(), x.shape()).ge(p);
        }
        return x.mul(mask.mul(1 / (1 - p)));
    }

    /**
     * Uses {@code mask} (values 0 and 1, the input's shape and dtype) instead of random draws in training
     * mode, until {@link #clearFixedMask()}. For tests.
     *
     * @param mask the keep mask: 1 keeps an element (scaled by {@code 1 / (1 - p)}), 0 drops it
     * @return this module
     * @throws IllegalArgumentException when a value is neither 0 nor 1
     */
    public Dropout useFixedMask(Tensor mask) {
        for (double v : mask.toDoubleArray()) {
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException("Dropout: a mask holds only 0 and 1, found " + v);
            }
        }
        this.fixedMask = mask.detach();
        return this;
    }

    /**
     * Goes back to random masks.
     *
     * @return this module
     */
    public Dropout clearFixedMask() {
        this.fixedMask = null;
        return this;
    }

    /** @return the drop probability */
    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
