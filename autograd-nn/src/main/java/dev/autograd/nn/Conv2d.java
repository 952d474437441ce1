package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * A 2-d convolution (cross-correlation, as in PyTorch's {@code nn.Conv2d}) over NCHW inputs with square
 * kernels: {@code out[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p, j s + q]} over the
 * zero-padded input. Weight {@code [out, in, k, k]}, bias {@code [out]}, both initialised from
 * {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} with {@code fanIn = in k k}, as in PyTorch.
 */
public final class Conv2d extends Module {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean hasBias;

    /**
     * A convolution with all settings.
     *
     * @param inChannels  input channels {@code C}, at least 1
     * @param outChannels output channels {@code O}, at least 1
     * @param kernel      the kernel's height and width, at least 1
     * @param stride      the step between windows, at least 1
     * @param padding     zeros added on each side, at least 0
     * @param bias        whether to add a learned bias per output channel
     * @param random      the source of the initial values
     */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, Random random) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv2d: need positive channels, kernel and stride and padding >= 0, got in="
                    + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt((double) inChannels * kernel * kernel);
        registerParameter("weight", Init.uniform(Tensor.zeros(outChannels, inChannels, kernel, kernel), -bound, bound, random));
        if (bias) {
            registerParameter("bias", Init.uniform(Tensor.zeros(outChannels), -bound, bound, random));
        }
    }

    /**
     * A convolution with stride 1, no padding and a bias.
     *
     * @param inChannels  input channels
     * @param outChannels output channels
     * @param kernel      the kernel size
     * @param random      the source of the initial values
     */
    public Conv2d(int inChannels, int outChannels, int kernel, Random random) {
        this(inChannels, outChannels, kernel, 1, 0, true, random);
    }

    /**
     * Convolves.
     *
     * @param x {@code [N, in, H, W]}
     * @return {@code [N, out, (H + 2 padding - k) / stride + 1, (W + 2 padding - k) / stride + 1]}
     * @throws IllegalArgumentException when {@code x} is not 4-d with {@code in} channels, or the window does
     *                                  not fit
     */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4 || s[1] != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + extraRepr() + "): expected input [N, " + inChannels
                    + ", H, W], got " + Arrays.toString(s));
        }
        return x.conv2d(weight(), bias(), stride, padding);
    }

    /** @return the kernel {@code [out, in, k, k]} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** @return the bias {@code [out]}, or {@code null} */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride
                + ", padding=" + padding + ", bias=" + hasBias;
    }
}
