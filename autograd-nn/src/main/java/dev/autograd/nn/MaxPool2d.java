package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * Max pooling over square windows of NCHW inputs: each output is the largest value of its window. The
 * gradient goes to the window's maximum (shared evenly on ties, as core's {@code maxPool2d} documents).
 */
public final class MaxPool2d extends Module {

    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * Non-overlapping windows: stride equal to the kernel, no padding.
     *
     * @param kernel the window size, at least 1
     */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /**
     * Pooling with all settings.
     *
     * @param kernel  the window size, at least 1
     * @param stride  the step between windows, at least 1
     * @param padding padding (counted as -infinity) on each side, at most half the kernel
     */
    public MaxPool2d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("MaxPool2d: need kernel >= 1, stride >= 1 and 0 <= padding <= kernel / 2, got kernel="
                    + kernel + ", stride=" + stride + ", padding=" + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /**
     * Pools.
     *
     * @param x {@code [N, C, H, W]}
     * @return {@code [N, C, (H + 2 padding - k) / stride + 1, (W + 2 padding - k) / stride + 1]}
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding});
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}
