package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * Weight initialisation, in place, like {@code torch.nn.init}: each method overwrites the tensor's values
 * (inside {@link Autograd#noGrad()}, so parameters that require grad can be initialised) and returns it.
 * Every random initialisation takes the {@link Random} it draws from, so a seeded generator repeats a run
 * bit for bit.
 *
 * <p>Fans: for a weight of shape {@code [out, in, k...]} (a {@link Linear} weight {@code [out, in]} or a
 * {@link Conv2d} kernel {@code [out, in, kH, kW]}), {@code fanIn = in * prod(k)} and
 * {@code fanOut = out * prod(k)}.
 */
public final class Init {

    private Init() {
    }

    /** The activation that follows the layer, for {@link #gain(Nonlinearity, double)}. */
    public enum Nonlinearity {
        /** No activation (identity), and convolutions: gain 1. */
        LINEAR,
        /** Logistic sigmoid: gain 1. */
        SIGMOID,
        /** Hyperbolic tangent: gain 5/3. */
        TANH,
        /** ReLU: gain sqrt(2). */
        RELU,
        /** Leaky ReLU with negative slope {@code a}: gain sqrt(2 / (1 + a^2)). */
        LEAKY_RELU,
        /** SELU: gain 3/4. */
        SELU
    }

    /** Which fan a Kaiming initialisation preserves the variance of. */
    public enum FanMode {
        /** Preserve the variance of activations in the forward pass (He et al.'s default). */
        FAN_IN,
        /** Preserve the variance of gradients in the backward pass. */
        FAN_OUT
    }

    /**
     * The recommended gain for a nonlinearity, as {@code torch.nn.init.calculate_gain}: LINEAR and SIGMOID
     * 1, TANH 5/3, RELU sqrt(2), LEAKY_RELU sqrt(2 / (1 + slope^2)), SELU 3/4.
     *
     * @param nonlinearity the activation
     * @param slope        the negative slope, used by LEAKY_RELU only
     * @return the gain
     */
    public static double gain(Nonlinearity nonlinearity, double slope) {
        return switch (nonlinearity) {
            case LINEAR, SIGMOID -> 1;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2);
            case LEAKY_RELU -> Math.sqrt(2 / (1 + slope * slope));
            case SELU -> 0.75;
        };
    }

    /**
     * The fans of a weight tensor of at least 2 axes.
     *
     * @param fanIn  the number of inputs each output sees: {@code shape[1] * prod(shape[2:])}
     * @param fanOut the number of outputs each input feeds: {@code shape[0] * prod(shape[2:])}
     */
    public record Fans(long fanIn, long fanOut) {

        /**
         * The fans of {@code weight}.
         *
         * @param weight a tensor of shape {@code [out, in, k...]}
         * @return its fans
         * @throws IllegalArgumentException when the tensor has fewer than 2 axes
         */
        public static Fans of(Tensor weight) {
            int[] s = weight.shape();
            if (s.length < 2) {
                throw new IllegalArgumentException("Init: fans need a weight of at least 2 axes [out, in, ...], got shape "
                        + Arrays.toString(s) + "; initialise biases with uniform, normal, zeros or constant");
            }
            long receptive = 1;
            for (int d = 2; d < s.length; d++) {
                receptive *= s[d];
            }
            return new Fans(s[1] * receptive, s[0] * receptive);
        }
    }

    /**
     * Fills {@code t} with values drawn uniformly from {@code [low, high)}.
     *
     * @param t      the tensor to overwrite
     * @param low    the lower bound
     * @param high   the upper bound, at least {@code low}
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor uniform(Tensor t, double low, double high, Random random) {
        if (!(low <= high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("Init.uniform: need finite low <= high, got " + low + " and " + high);
        }
        try (var scope = Autograd.noGrad()) {
            return t.copyFrom(Tensor.rand(random, t.dtype(), t.shape()).mul(high - low).add(low));
        }
    }

    /**
     * Fills {@code t} with values drawn from the normal distribution {@code N(mean, std^2)}.
     *
     * @param t      the tensor to overwrite
     * @param mean   the mean
     * @param std    the standard deviation, at least 0
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor normal(Tensor t, double mean, double std, Random random) {
        if (!(std >= 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("Init.normal: need a finite mean and std >= 0, got " + mean + " and " + std);
        }
        try (var scope = Autograd.noGrad()) {
            return t.copyFrom(Tensor.randn(random, t.dtype(), t.shape()).mul(std).add(mean));
        }
    }

    /**
     * Xavier/Glorot uniform (Glorot and Bengio 2010): {@code U(-a, a)} with
     * {@code a = gain * sqrt(6 / (fanIn + fanOut))}, keeping the variance of activations and gradients
     * roughly constant across layers with tanh-like activations.
     *
     * @param t      a weight of at least 2 axes
     * @param gain   the scale, see {@link #gain}; 1 for none
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor xavierUniform(Tensor t, double gain, Random random) {
        Fans f = Fans.of(t);
        double a = gain * Math.sqrt(6.0 / (f.fanIn() + f.fanOut()));
        return uniform(t, -a, a, random);
    }

    /**
     * Xavier/Glorot normal: {@code N(0, std^2)} with {@code std = gain * sqrt(2 / (fanIn + fanOut))}.
     *
     * @param t      a weight of at least 2 axes
     * @param gain   the scale, see {@link #gain}
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor xavierNormal(Tensor t, double gain, Random random) {
        Fans f = Fans.of(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f.fanIn() + f.fanOut())), random);
    }

    /**
     * He/Kaiming uniform (He et al. 2015): {@code U(-b, b)} with {@code b = gain * sqrt(3 / fan)}, where
     * {@code gain = gain(nonlinearity, slope)} and {@code fan} is chosen by {@code mode}.
     *
     * @param t            a weight of at least 2 axes
     * @param slope        the negative slope of a LEAKY_RELU (ignored otherwise)
     * @param mode         FAN_IN (forward variance) or FAN_OUT (backward variance)
     * @param nonlinearity the activation after the layer
     * @param random       the source of randomness
     * @return {@code t}
     */
    public static Tensor kaimingUniform(Tensor t, double slope, FanMode mode, Nonlinearity nonlinearity, Random random) {
        double std = gain(nonlinearity, slope) / Math.sqrt(fan(t, mode));
        double bound = Math.sqrt(3) * std;
        return uniform(t, -bound, bound, random);
    }

    /**
     * He/Kaiming uniform for ReLU layers with fan-in: {@code U(-b, b)}, {@code b = sqrt(6 / fanIn)}.
     *
     * @param t      a weight of at least 2 axes
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor kaimingUniform(Tensor t, Random random) {
        return kaimingUniform(t, 0, FanMode.FAN_IN, Nonlinearity.RELU, random);
    }

    /**
     * He/Kaiming normal (He et al. 2015): {@code N(0, std^2)} with {@code std = gain / sqrt(fan)}.
     *
     * @param t            a weight of at least 2 axes
     * @param slope        the negative slope of a LEAKY_RELU (ignored otherwise)
     * @param mode         FAN_IN or FAN_OUT
     * @param nonlinearity the activation after the layer
     * @param random       the source of randomness
     * @return {@code t}
     */
    public static Tensor kaimingNormal(Tensor t, double slope, FanMode mode, Nonlinearity nonlinearity, Random random) {
        return normal(t, 0, gain(nonlinearity, slope) / Math.sqrt(fan(t, mode)), random);
    }

    /**
     * He/Kaiming normal for ReLU layers with fan-in: {@code N(0, 2 / fanIn)}.
     *
     * @param t      a weight of at least 2 axes
     * @param random the source of randomness
     * @return {@code t}
     */
    public static Tensor kaimingNormal(Tensor t, Random random) {
        return kaimingNormal(t, 0, FanMode.FAN_IN, Nonlinearity.RELU, random);
    }

    /**
     * Fills {@code t} with zeros.
     *
     * @param t the tensor to overwrite
     * @return {@code t}
     */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /**
     * Fills {@code t} with {@code value}.
     *
     * @param t     the tensor to overwrite
     * @param value the value
     * @return {@code t}
     */
    public static Tensor constant(Tensor t, double value) {
        try (var scope = Autograd.noGrad()) {
            return t.fill(value);
        }
    }

    private static long fan(Tensor t, FanMode mode) {
        Fans f = Fans.of(t);
        long fan = mode == FanMode.FAN_IN ? f.fanIn() : f.fanOut();
        if (fan == 0) {
            throw new IllegalArgumentException("Init: the " + mode + " of a tensor of shape " + Arrays.toString(t.shape())
                    + " is 0, so no variance can be preserved");
        }
        return fan;
    }
}
