package dev.autograd;

import dev.autograd.internal.kernel.ConvGeometry;
import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import java.util.Arrays;

/**
 * Neural-network ops: softmax and log-softmax, convolution and pooling. Softmax, conv2d and max pooling are
 * primitives for speed: their forward and plain backward are fused kernels (conv2d: im2col and a GEMM per
 * sample and group; its backward two GEMMs and col2im), while their differentiable backward, used under
 * createGraph, is written with tensor ops: the windows of the input as one strided read (whose adjoint is
 * col2im) and batched matmuls. Average pooling is composed from those ops.
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
        x = Autocast.toFloat32(x);
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
     * weight of {@code C / groups} input channels per group. Inside {@link Autograd#autocast} the three are cast
     * to the half dtype and the result, accumulated in float32, is FLOAT32.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        Shapes.nonNull("conv2d", weight, "the weight");
        DType low = Autocast.lowPrecision(x, weight, bias);
        if (low != null) {
            x = x.to(low);
            weight = weight.to(low);
            bias = Autocast.cast(bias, low);
        }
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
        ConvGeometry g = geometry("conv2d", x, o, kh, kw, stride, padding, dilation, groups);
        Object y = low == null
                ? Kernels.conv2d(x.storage.array, weight.storage.array, bias == null ? null : bias.storage.array, g)
                : Kernels.conv2d(Autocast.widened(x), Autocast.widened(weight), Autocast.widened(bias), g);
        Tensor out = Tensor.wrap(y, new int[] {n, o, g.ho(), g.wo()});
        if (!Tensor.recording(x, weight, bias)) {
            return out;
        }
        out.recordedBy(new Conv2d(x, weight, bias, g));
        return low == null ? out : Autocast.roundsGradientTo(out, low);
    }

    /**
     * d conv2d: with X the input's windows as columns (im2col), {@code dW = sum_n G_n X_n^T},
     * {@code dX = col2im(W^T G_n)} and {@code db = sum of G over samples and positions}, per group.
     */
    static final class Conv2d extends Node {
        @Override
        public String formula() {
            return "d conv2d: dW = sum_n g_n cols(x_n)^T, dx = col2im(W^T g_n), db = sum of g";
        }

        private final ConvGeometry g;
        private final boolean hasBias;

        Conv2d(Tensor x, Tensor weight, Tensor bias, ConvGeometry g) {
            super("conv2d", inputs(x, weight, bias));
            this.g = g;
            this.hasBias = bias != null;
            save(x, weight);
        }

        /** The composed formula (im2col, matmul, its adjoint), recorded under createGraph. */
        @Override
        Tensor[] backward(Tensor gy) {
            Tensor x = saved(0);
            Tensor w = saved(1);
            int og = g.groupOutputs();
            int kg = g.groupPatch();
            Tensor cols = windows("conv2d", x, g, 0).reshape(g.n(), g.groups(), kg, g.plane());
            Tensor gq = gy.reshape(g.n(), g.groups(), og, g.plane());
            Tensor dx = null;
            Tensor dw = null;
            if (needsGrad(0)) {
                Tensor dcols = w.reshape(1, g.groups(), og, kg).transpose(-1, -2).matmul(gq);
                dx = foldWindows("conv2d", dcols.reshape(g.n(), g.c(), g.kh(), g.kw(), g.ho(), g.wo()), g);
            }
            if (needsGrad(1)) {
                dw = gq.matmul(cols.transpose(-1, -2)).sum(0, false).reshape(w.shapeRef());
            }
            Tensor db = hasBias && needsGrad(2) ? gy.sum(new int[] {0, 2, 3}, false) : null;
            return hasBias ? grads(dx, dw, db) : grads(dx, dw);
        }

        /** One pass over the samples: im2col recomputed, two GEMMs per group, col2im, the bias sums. */
        @Override
        Tensor[] fusedBackward(Tensor gy) {
            Tensor x = saved(0);
            Tensor w = saved(1);
            Object dx = needsGrad(0) ? Kernels.newArray(x.storage.array, x.numel()) : null;
            Object dw = needsGrad(1) ? Kernels.newArray(x.storage.array, w.numel()) : null;
            Object db = hasBias && needsGrad(2) ? Kernels.newArray(x.storage.array, g.o()) : null;
            Kernels.conv2dBackward(x.storage.array, w.storage.array, gy.storage.array, g, dx, dw, db);
            Tensor gx = dx == null ? null : Engine.owned(Tensor.wrap(dx, x.shapeRef()));
            Tensor gw = dw == null ? null : Engine.owned(Tensor.wrap(dw, w.shapeRef()));
            Tensor gb = db == null ? null : Engine.owned(Tensor.wrap(db, new int[] {g.o()}));
            return hasBias ? grads(gx, gw, gb) : grads(gx, gw);
        }
    }

    /** The largest value of each window; padding counts as -infinity. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        checkPool("maxPool2d", x, kernel, stride, padding);
        int[] xs = x.shapeRef();
        ConvGeometry g = geometry("maxPool2d", x, xs[1], kernel[0], kernel[1], stride, padding, new int[] {1, 1}, 1);
        Tensor out = Tensor.wrap(Kernels.maxPool2d(x.storage.array, g), new int[] {xs[0], xs[1], g.ho(), g.wo()});
        return Tensor.recording(x) ? out.recordedBy(new MaxPool2d(x, out, g)) : out;
    }

    /**
     * d maxPool2d/dx: each window's gradient goes to the inputs equal to its maximum, 1/k to each of k
     * ties; overlapping windows add up.
     */
    static final class MaxPool2d extends Node {
        @Override
        public String formula() {
            return "d maxPool2d/dx = 1/k at the k maxima of each window, else 0 (windows add up)";
        }

        private final ConvGeometry g;

        MaxPool2d(Tensor x, Tensor y, ConvGeometry g) {
            super("maxPool2d", x);
            this.g = g;
            save(x, y);
        }

        @Override
        Tensor[] backward(Tensor gy) {
            Tensor x = saved(0);
            Tensor kept = saved(1).reshape(g.n(), g.c(), 1, 1, g.ho(), g.wo());
            Tensor selected = windows("maxPool2d", x, g, Double.NEGATIVE_INFINITY).eq(kept);
            Tensor share = selected.div(selected.sum(new int[] {2, 3}, true));
            return grads(foldWindows("maxPool2d", gy.reshape(g.n(), g.c(), 1, 1, g.ho(), g.wo()).mul(share), g));
        }

        @Override
        Tensor[] fusedBackward(Tensor gy) {
            Tensor x = saved(0);
            Object dx = Kernels.maxPool2dBackward(x.storage.array, saved(1).storage.array, gy.storage.array, g);
            return grads(Engine.owned(Tensor.wrap(dx, x.shapeRef())));
        }
    }

    /** The mean of each window; padding counts as zeros (PyTorch's count_include_pad=true). */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        checkPool("avgPool2d", x, kernel, stride, padding);
        ConvGeometry g = geometry("avgPool2d", x, x.shapeRef()[1], kernel[0], kernel[1], stride, padding,
                new int[] {1, 1}, 1);
        return windows("avgPool2d", x, g, 0).mean(new int[] {2, 3}, false);
    }

    /**
     * The sizes of a convolution or pooling of {@code x} with a {@code kh x kw} window, checked: the padded
     * input must hold one window (sizes in long, so that a huge padding or dilation gives this message and
     * not an overflowed index).
     */
    private static ConvGeometry geometry(String op, Tensor x, int outChannels, int kh, int kw, int[] stride,
                                         int[] padding, int[] dilation, int groups) {
        int[] xs = x.shapeRef();
        long hpLong = xs[2] + 2L * padding[0];
        long wpLong = xs[3] + 2L * padding[1];
        long spanH = (long) dilation[0] * (kh - 1) + 1;
        long spanW = (long) dilation[1] * (kw - 1) + 1;
        if (hpLong < spanH || wpLong < spanW || hpLong > Integer.MAX_VALUE || wpLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": a " + kh + "x" + kw + " window (dilation "
                    + Arrays.toString(dilation) + ") does not fit the padded input of " + hpLong + "x" + wpLong
                    + " (input " + Shapes.format(xs) + ", padding " + Arrays.toString(padding) + ")");
        }
        int ho = (int) ((hpLong - spanH) / stride[0] + 1);
        int wo = (int) ((wpLong - spanW) / stride[1] + 1);
        // The output and the im2col matrix of one sample must fit in arrays.
        Shapes.size(op, new int[] {xs[0], outChannels, ho, wo});
        Shapes.size(op, new int[] {xs[1], kh, kw, ho, wo});
        return new ConvGeometry(xs[0], xs[1], xs[2], xs[3], outChannels, kh, kw, stride[0], stride[1], padding[0],
                padding[1], dilation[0], dilation[1], groups, ho, wo);
    }

    /**
     * The sliding windows of an NCHW tensor as {@code [N, C, kH, kW, Ho, Wo]}, read from the padded input with
     * one strided view (recorded, so differentiable): window (i, j) element (p, q) sits at
     * {@code (i s + p d, j s + q d)}. Used by the composed backward formulas, which must be differentiable.
     */
    private static Tensor windows(String op, Tensor x, ConvGeometry g, double padValue) {
        Tensor padded = g.ph() == 0 && g.pw() == 0 ? x
                : x.pad(new int[] {g.pw(), g.pw(), g.ph(), g.ph()}, padValue);
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int[] shape = {g.n(), g.c(), g.kh(), g.kw(), g.ho(), g.wo()};
        int[] strides = {g.c() * hp * wp, hp * wp, g.dh() * wp, g.dw(), g.sh() * wp, g.sw()};
        return IndexingOps.asStrided(op, padded, shape, strides, 0);
    }

    /** The adjoint of {@link #windows}: window gradients added back into the input (col2im), padding cut off. */
    private static Tensor foldWindows(String op, Tensor windowGrads, ConvGeometry g) {
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int[] strides = {g.c() * hp * wp, hp * wp, g.dh() * wp, g.dw(), g.sh() * wp, g.sw()};
        Tensor padded = IndexingOps.scatterStrided(op, windowGrads, new int[] {g.n(), g.c(), hp, wp}, strides, 0);
        if (g.ph() == 0 && g.pw() == 0) {
            return padded;
        }
        return padded.slice(2, g.ph(), g.ph() + g.h(), 1).slice(3, g.pw(), g.pw() + g.w(), 1);
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
