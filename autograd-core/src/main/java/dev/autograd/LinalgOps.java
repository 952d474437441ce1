package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import java.util.Arrays;

/** The matrix product with NumPy's rules for 1-d operands and broadcast batch axes. */
final class LinalgOps {

    private LinalgOps() {
    }

    /**
     * NumPy's {@code matmul}. A 1-d operand is lifted to a matrix (a row on the left, a column on the
     * right) by a recorded reshape and the added axis is removed from the result, so that the batched
     * node below only ever sees operands of rank 2 or more. Inside {@link Autograd#autocast} the operands are
     * cast to the half dtype first and the product is FLOAT32.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        Shapes.nonNull("matmul", b, "the right operand");
        DType low = Autocast.lowPrecision(a, b);
        if (low != null) {
            a = a.to(low);
            b = b.to(low);
        }
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        if (as.length == 0 || bs.length == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one axis, got shapes "
                    + Shapes.format(as) + " and " + Shapes.format(bs) + "; use mul for a scalar factor");
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("matmul: dtypes differ: " + a.dtype() + " " + Shapes.format(as) + " and "
                    + b.dtype() + " " + Shapes.format(bs) + "; convert one operand with to(DType) first");
        }
        int k = as[as.length - 1];
        int kb = bs.length == 1 ? bs[0] : bs[bs.length - 2];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.format(as) + " @ "
                    + Shapes.format(bs) + " (" + k + " != " + kb + ")");
        }
        Tensor left = as.length == 1 ? a.reshape(1, k) : a;
        Tensor right = bs.length == 1 ? b.reshape(k, 1) : b;
        Tensor product = batched(left, right, low);
        if (as.length > 1 && bs.length > 1) {
            return product;
        }
        int[] ps = product.shapeRef();
        int[] squeezed;
        if (as.length == 1 && bs.length == 1) {
            squeezed = new int[0];
        } else if (as.length == 1) {
            squeezed = dropAxis(ps, ps.length - 2);
        } else {
            squeezed = dropAxis(ps, ps.length - 1);
        }
        return product.reshape(squeezed);
    }

    private static int[] dropAxis(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int d = 0, o = 0; d < shape.length; d++) {
            if (d != axis) {
                out[o++] = shape[d];
            }
        }
        return out;
    }

    /**
     * {@code [..., m, k] @ [..., k, n] -> [broadcast(...), m, n]}; with {@code low} (autocast) the half operands'
     * product accumulated and returned in float32.
     */
    private static Tensor batched(Tensor a, Tensor b, DType low) {
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast("matmul", aBatch, bBatch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("matmul: batch axes of " + Shapes.format(as) + " and "
                    + Shapes.format(bs) + " do not broadcast (" + Shapes.format(aBatch) + " vs "
                    + Shapes.format(bBatch) + ")", e);
        }
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Shapes.size("matmul", outShape);
        int[] aOffsets = batchOffsets(aBatch, batch, m * k);
        int[] bOffsets = batchOffsets(bBatch, batch, k * n);
        Object out = low == null ? Kernels.matmul(a.storage.array, aOffsets, b.storage.array, bOffsets, m, k, n)
                : Kernels.matmul(Autocast.widened(a), aOffsets, Autocast.widened(b), bOffsets, m, k, n);
        Tensor result = Tensor.wrap(out, outShape);
        if (!Tensor.recording(a, b)) {
            return result;
        }
        result.recordedBy(new Matmul(a, b));
        return low == null ? result : Autocast.roundsGradientTo(result, low);
    }

    /**
     * {@code x W^T + b} for {@code x [..., in]}, {@code W [out, in]}, {@code b [out]} or null. Inside
     * {@link Autograd#autocast} all three are cast to the half dtype and the result is FLOAT32.
     */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Shapes.nonNull("linear", w, "the weight");
        DType low = Autocast.lowPrecision(x, w, b);
        if (low != null) {
            x = x.to(low);
            w = w.to(low);
            b = Autocast.cast(b, low);
        }
        int[] xs = x.shapeRef();
        int[] ws = w.shapeRef();
        if (ws.length != 2) {
            throw new IllegalArgumentException("linear: the weight must be [out, in], got shape " + Shapes.format(ws));
        }
        int out = ws[0];
        int in = ws[1];
        if (xs.length == 0 || xs[xs.length - 1] != in) {
            throw new IllegalArgumentException("linear: input shape " + Shapes.format(xs) + " must end in " + in
                    + ", the weight's in-features (weight " + Shapes.format(ws) + ")");
        }
        if (b != null && (b.dim() != 1 || b.shapeRef()[0] != out)) {
            throw new IllegalArgumentException("linear: the bias must be [" + out + "] for weight " + Shapes.format(ws)
                    + ", got shape " + Shapes.format(b.shapeRef()));
        }
        if (x.dtype() != w.dtype() || (b != null && b.dtype() != x.dtype())) {
            throw new IllegalArgumentException("linear: dtypes differ: input " + x.dtype() + ", weight " + w.dtype()
                    + (b == null ? "" : ", bias " + b.dtype()) + "; convert with to(DType) first");
        }
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = out;
        int size = Shapes.size("linear", outShape);
        // The rows of x as a matrix [rows, in]; with in = 0 they are counted from the result instead. With
        // out = 0 as well there is nothing to compute, and there may be more rows than an int holds
        // (x [6, 2^30, 0]): 0 rows, so that neither the product nor its backward loops over empty rows.
        int rows = in != 0 ? x.numel() / in : out != 0 ? size / out : 0;
        // With a bias, every row of y starts as the bias and the product is accumulated onto it (beta = 1).
        // Under autocast the half values are widened first, so that the product accumulates into a FLOAT32 y.
        Object xa = low == null ? x.storage.array : Autocast.widened(x);
        Object wa = low == null ? w.storage.array : Autocast.widened(w);
        Object ba = low == null || b == null ? (b == null ? null : b.storage.array) : Autocast.widened(b);
        Object y = b == null ? Kernels.newArray(xa, size)
                : Kernels.stridedCopy(ba, 0, new int[] {0, 1}, new int[] {rows, out});
        double beta = b == null ? 0 : 1;
        Kernels.gemm(false, true, rows, out, in, 1, xa, 0, in, wa, 0, in, beta, y, 0, out);
        Tensor result = Tensor.wrap(y, outShape);
        if (!Tensor.recording(x, w, b)) {
            return result;
        }
        result.recordedBy(new Linear(x, w, b, rows));
        return low == null ? result : Autocast.roundsGradientTo(result, low);
    }

    /**
     * d(x W^T + b): dX = G W, dW = G^T X, db = column sums of G, with X and G flattened to [M, in] and
     * [M, out].
     */
    static final class Linear extends Node {
        @Override
        public String formula() {
            return "d(x W^T + b)/dx = g W, d/dW = g^T x, d/db = sum over rows of g";
        }

        private final int rows;

        Linear(Tensor x, Tensor w, Tensor b, int rows) {
            super("linear", inputs(x, w, b));
            this.rows = rows;
            save(x, w);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            Tensor w = saved(1);
            int out = w.shapeRef()[0];
            int in = w.shapeRef()[1];
            Tensor g2 = g.reshape(rows, out);
            Tensor gx = needsGrad(0) ? g.matmul(w) : null;
            Tensor gw = needsGrad(1) ? g2.t().matmul(x.reshape(rows, in)) : null;
            Tensor gb = next.length > 2 && needsGrad(2) ? g2.sum(0, false) : null;
            return next.length > 2 ? grads(gx, gw, gb) : grads(gx, gw);
        }

        /** Two GEMMs reading G and W or G and X in place (G^T without a copy), and one column sum. */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            Tensor x = saved(0);
            Tensor w = saved(1);
            int out = w.shapeRef()[0];
            int in = w.shapeRef()[1];
            Object ga = g.storage.array;
            Tensor gx = null;
            Tensor gw = null;
            Tensor gb = null;
            if (needsGrad(0)) {
                Object dx = Kernels.newArray(ga, x.numel());
                Kernels.gemm(false, false, rows, in, out, 1, ga, 0, out, w.storage.array, 0, in, 0, dx, 0, in);
                gx = Engine.owned(Tensor.wrap(dx, x.shapeRef()));
            }
            if (needsGrad(1)) {
                Object dw = Kernels.newArray(ga, out * in);
                Kernels.gemm(true, false, out, in, rows, 1, ga, 0, out, x.storage.array, 0, in, 0, dw, 0, in);
                gw = Engine.owned(Tensor.wrap(dw, w.shapeRef()));
            }
            if (next.length > 2 && needsGrad(2)) {
                Object db = Kernels.reduce(dev.autograd.internal.kernel.ReduceOp.SUM, ga, new int[] {rows, out},
                        new int[] {0, 1}, out);
                gb = Engine.owned(Tensor.wrap(db, new int[] {out}));
            }
            return next.length > 2 ? grads(gx, gw, gb) : grads(gx, gw);
        }
    }

    /** The start of each matrix of an operand, for every index of the broadcast batch shape in order. */
    private static int[] batchOffsets(int[] own, int[] batch, int matrixSize) {
        int[] strides = Shapes.broadcastStrides(own, batch);
        int count = Shape.size(batch);
        int[] offsets = new int[count];
        int[] counter = new int[batch.length];
        int offset = 0;
        for (int t = 0; t < count; t++) {
            offsets[t] = offset * matrixSize;
            for (int d = batch.length - 1; d >= 0; d--) {
                offset += strides[d];
                if (++counter[d] < batch[d]) {
                    break;
                }
                offset -= strides[d] * batch[d];
                counter[d] = 0;
            }
        }
        return offsets;
    }

    /**
     * For {@code C = A B}: {@code dL/dA = g B^T} and {@code dL/dB = A^T g}, computed per batch; the engine
     * then sums over the batch axes an operand was broadcast along.
     */
    static final class Matmul extends Node {
        @Override
        public String formula() {
            return "d(A @ B)/dA = g @ B^T, d(A @ B)/dB = A^T @ g";
        }

        Matmul(Tensor a, Tensor b) {
            super("matmul", a, b);
            save(a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(needsGrad(0) ? g.matmul(saved(1).transpose(-1, -2)) : null,
                    needsGrad(1) ? saved(0).transpose(-1, -2).matmul(g) : null);
        }

        /**
         * GEMMs that read B and A transposed in place. Each gradient is computed straight in its input's
         * shape: where an operand's batch axes were broadcast, the products of the batch entries that
         * share one of its matrices are accumulated into it (beta = 1), in batch order.
         */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            int[] as = a.shapeRef();
            int[] bs = b.shapeRef();
            int m = as[as.length - 2];
            int k = as[as.length - 1];
            int n = bs[bs.length - 1];
            int[] batch = Arrays.copyOf(g.shapeRef(), g.shapeRef().length - 2);
            int[] aOffsets = batchOffsets(Arrays.copyOf(as, as.length - 2), batch, m * k);
            int[] bOffsets = batchOffsets(Arrays.copyOf(bs, bs.length - 2), batch, k * n);
            Object ga = null;
            Object gb = null;
            if (needsGrad(0)) {
                // dA[i] (+)= G[t] B[t]^T: [m, n] x [n, k] with B stored [k, n].
                ga = Kernels.newArray(g.storage.array, a.numel());
                Kernels.gemmBatched(false, true, m, k, n, 1, g.storage.array, denseOffsets(aOffsets.length, m * n), n,
                        b.storage.array, bOffsets, n, distinct(aOffsets) ? 0 : 1, ga, aOffsets, k);
            }
            if (needsGrad(1)) {
                // dB[i] (+)= A[t]^T G[t]: [k, m] x [m, n] with A stored [m, k].
                gb = Kernels.newArray(g.storage.array, b.numel());
                Kernels.gemmBatched(true, false, k, n, m, 1, a.storage.array, aOffsets, k, g.storage.array,
                        denseOffsets(bOffsets.length, m * n), n, distinct(bOffsets) ? 0 : 1, gb, bOffsets, n);
            }
            return grads(ga == null ? null : Engine.owned(Tensor.wrap(ga, as)),
                    gb == null ? null : Engine.owned(Tensor.wrap(gb, bs)));
        }
    }

    /** Whether no two batch entries write the same matrix (else they accumulate, from zeros, with beta = 1). */
    private static boolean distinct(int[] offsets) {
        for (int t = 1; t < offsets.length; t++) {
            if (offsets[t] <= offsets[t - 1]) {
                return false;
            }
        }
        return true;
    }

    private static int[] denseOffsets(int count, int size) {
        int[] offsets = new int[count];
        for (int t = 0; t < count; t++) {
            offsets[t] = t * size;
        }
        return offsets;
    }
}
