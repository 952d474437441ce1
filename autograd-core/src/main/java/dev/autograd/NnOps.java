package dev.autograd;

import java.util.Arrays;

/**
 * Neural-network ops composed from primitives: softmax, convolution and pooling. Convolution unfolds the
 * input's windows with one strided read (im2col) and multiplies them by the weights with one batched
 * matmul; its backward comes from those two ops (the strided read's adjoint is col2im).
 */
final class NnOps {

    private NnOps() {
    }

    /**
     * {@code e^(x - m) / sum(e^(x - m))} along {@code axis}, m the line's maximum: stable for large x. A
     * primitive rather than a composition, for speed: one pass forward, one fused pass backward.
     */
    static Tensor softmax(Tensor x, int axis) {
        return softmax("softmax", x, axis, false);
    }

    /** {@code x - m - log(sum(e^(x - m)))} along {@code axis}: stable, and exact where softmax underflows. */
    static Tensor logSoftmax(Tensor x, int axis) {
        return softmax("logSoftmax", x, axis, true);
    }

    private static Tensor softmax(String name, Tensor x, int axis, boolean log) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis(name, axis, shape);
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= shape[d];
        }
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        Object out = dev.autograd.internal.kernel.Kernels.softmax(x.storage.array, outer, shape[a], inner, log);
        Tensor y = Tensor.wrap(out, shape);
        return Tensor.recording(x) ? y.recordedBy(new Softmax(name, x, y, a, outer, inner, log)) : y;
    }

    /**
     * softmax: {@code dL/dx = y (g - sum(g y))}; log-softmax: {@code dL/dx = g - e^y sum(g)}, the sums along
     * the axis. Both read the saved output y.
     */
    static final class Softmax extends Node {
        @Override
        public String formula() {
            return log ? "d logSoftmax(x)/dx: g - softmax(x) * sum(g)" : "d softmax(x)/dx: y * (g - sum(g * y))";
        }

        private final int axis;
        private final int outer;
        private final int inner;
        private final boolean log;

        Softmax(String name, Tensor x, Tensor y, int axis, int outer, int inner, boolean log) {
            super(name, x);
            this.axis = axis;
            this.outer = outer;
            this.inner = inner;
            this.log = log;
            save(y);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return grads(log ? g.sub(y.exp().mul(g.sum(axis, true))) : y.mul(g.sub(g.mul(y).sum(axis, true))));
        }

        @Override
        Tensor[] fusedBackward(Tensor g) {
            Tensor y = saved(0);
            Object out = dev.autograd.internal.kernel.Kernels.softmaxBackward(g.storage.array, y.storage.array, outer,
                    y.shapeRef()[axis], inner, log);
            return grads(Engine.owned(Tensor.wrap(out, y.shapeRef())));
        }
    }

    /**
     * 2-d convolution (cross-correlation, as in every deep-learning library) of an NCHW input with an OIHW
     * weight of {@code C / groups} input channels per group.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] xs = x.shapeRef();
        int[] ws = weight.shapeRef();
        checkPair("conv2d", "stride", stride, 1);
        checkPair("conv2d", "padding", padding, 0);
        checkPair("conv2d", "dilation", dilation, 1);
        if (xs.length != 4 || ws.length != 4) {
            throw new IllegalArgumentException("conv2d: input must be [N, C, H, W] and weight [O, C/groups, kH, kW],"
                    + " got input " + Shapes.format(xs) + " and weight " + Shapes.format(ws));
        }
        if (x.dtype() != weight.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("conv2d: dtypes differ: input " + x.dtype() + ", weight " + weight.dtype()
                    + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        int n = xs[0];
        int c = xs[1];
        int o = ws[0];
        if (groups < 1 || c % groups != 0 || o % groups != 0 || ws[1] * groups != c) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.format(xs) + " has " + c + " channels and weight "
                    + Shapes.format(ws) + " expects " + ws[1] + " per group with groups=" + groups
                    + "; need C = weight[1] * groups and both C and O divisible by groups");
        }
        if (bias != null && !Arrays.equals(bias.shapeRef(), new int[] {o})) {
            throw new IllegalArgumentException("conv2d: bias must have shape [" + o + "], got " + Shapes.format(bias.shapeRef()));
        }
        int kh = ws[2];
        int kw = ws[3];
        if (kh < 1 || kw < 1) {
            throw new IllegalArgumentException("conv2d: the kernel of weight " + Shapes.format(ws)
                    + " is empty; kH and kW must be at least 1");
        }
        Tensor windows = unfold("conv2d", x, kh, kw, stride, padding, dilation, 0);
        // windows: [N, C, kH, kW, Ho, Wo]
        int[] wsh = windows.shapeRef();
        int ho = wsh[4];
        int wo = wsh[5];
        int k = c / groups * kh * kw;
        Tensor columns = windows.reshape(n, groups, k, ho * wo);
        Tensor kernels = weight.reshape(1, groups, o / groups, k);
        Tensor out = kernels.matmul(columns).reshape(n, o, ho, wo);
        return bias == null ? out : out.add(bias.reshape(1, o, 1, 1));
    }

    /** The largest value of each window; padding counts as -infinity. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        checkPool("maxPool2d", x, kernel, stride, padding);
        Tensor windows = unfold("maxPool2d", x, kernel[0], kernel[1], stride, padding, new int[] {1, 1},
                Double.NEGATIVE_INFINITY);
        return windows.max(new int[] {2, 3}, false);
    }

    /** The mean of each window; padding counts as zeros (PyTorch's count_include_pad=true). */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        checkPool("avgPool2d", x, kernel, stride, padding);
        Tensor windows = unfold("avgPool2d", x, kernel[0], kernel[1], stride, padding, new int[] {1, 1}, 0);
        return windows.mean(new int[] {2, 3}, false);
    }

    /**
     * The sliding windows of an NCHW tensor as {@code [N, C, kH, kW, Ho, Wo]}, read from the padded input with
     * one strided view: window (i, j) element (p, q) sits at {@code (i s + p d, j s + q d)}.
     */
    private static Tensor unfold(String op, Tensor x, int kh, int kw, int[] stride, int[] padding, int[] dilation,
                                 double padValue) {
        int[] xs = x.shapeRef();
        // Sizes in long: a huge padding or dilation must give this message, not an overflowed index.
        long hpLong = xs[2] + 2L * padding[0];
        long wpLong = xs[3] + 2L * padding[1];
        long spanH = (long) dilation[0] * (kh - 1) + 1;
        long spanW = (long) dilation[1] * (kw - 1) + 1;
        if (hpLong < spanH || wpLong < spanW || hpLong > Integer.MAX_VALUE || wpLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": a " + kh + "x" + kw + " window (dilation "
                    + Arrays.toString(dilation) + ") does not fit the padded input of " + hpLong + "x" + wpLong
                    + " (input " + Shapes.format(xs) + ", padding " + Arrays.toString(padding) + ")");
        }
        Tensor padded = padding[0] == 0 && padding[1] == 0 ? x
                : x.pad(new int[] {padding[1], padding[1], padding[0], padding[0]}, padValue);
        int hp = (int) hpLong;
        int wp = (int) wpLong;
        int ho = (int) ((hp - spanH) / stride[0] + 1);
        int wo = (int) ((wp - spanW) / stride[1] + 1);
        int[] shape = {xs[0], xs[1], kh, kw, ho, wo};
        int[] strides = {xs[1] * hp * wp, hp * wp, dilation[0] * wp, dilation[1], stride[0] * wp, stride[1]};
        return IndexingOps.asStrided("unfold", padded, shape, strides, 0);
    }

    private static void checkPool(String op, Tensor x, int[] kernel, int[] stride, int[] padding) {
        checkPair(op, "kernel", kernel, 1);
        checkPair(op, "stride", stride, 1);
        checkPair(op, "padding", padding, 0);
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got " + Shapes.format(x.shapeRef()));
        }
        if (padding[0] * 2L > kernel[0] || padding[1] * 2L > kernel[1]) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be at most half the"
                    + " kernel " + Arrays.toString(kernel) + ", or some windows would hold only padding");
        }
    }

    private static void checkPair(String op, String what, int[] pair, int min) {
        if (pair == null || pair.length != 2 || pair[0] < min || pair[1] < min) {
            throw new IllegalArgumentException(op + ": " + what + " must be two values >= " + min + ", got "
                    + (pair == null ? "null" : Arrays.toString(pair)));
        }
    }
}
