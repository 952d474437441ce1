package dev.autograd.internal.kernel;

/**
 * The float64 loops of the engine. This file is the single source of every loop: the build generates
 * {@code FloatKernels} from it by replacing the element type (see autograd-core's pom.xml), so a loop is
 * written, reviewed and fixed once. Keep it generation-safe: no floating-point literals with a decimal
 * point, and cast every {@code Math} result with {@code (double)}.
 *
 * <p>All arrays are dense and row-major. Broadcasting is expressed by strides: a stride of 0 repeats an
 * element along that axis. Callers ({@link Kernels}) validate shapes; these loops trust them.
 */
public final class DoubleKernels {

    private DoubleKernels() {
    }

    /**
     * {@code out = op(a, b)} over an output of shape {@code shape}; {@code aStrides}/{@code bStrides} give,
     * per output axis, the step in {@code a}/{@code b} (0 where that operand is broadcast).
     */
    public static void binary(BinaryOp op, double[] a, int[] aStrides, double[] b, int[] bStrides,
                              double[] out, int[] shape) {
        int rank = shape.length;
        if (rank == 0) {
            binaryRow(op, a, 0, 0, b, 0, 0, out, 0, 1);
            return;
        }
        int inner = shape[rank - 1];
        int innerA = aStrides[rank - 1];
        int innerB = bStrides[rank - 1];
        int total = out.length;
        if (inner == 0 || total == 0) {
            return;
        }
        int[] counter = new int[rank];
        int ia = 0;
        int ib = 0;
        for (int o = 0; o < total; o += inner) {
            binaryRow(op, a, ia, innerA, b, ib, innerB, out, o, inner);
            for (int d = rank - 2; d >= 0; d--) {
                ia += aStrides[d];
                ib += bStrides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                ia -= aStrides[d] * shape[d];
                ib -= bStrides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }

    private static void binaryRow(BinaryOp op, double[] a, int ia, int sa, double[] b, int ib, int sb,
                                  double[] out, int o, int n) {
        if ((sa == 0 || sa == 1) && (sb == 0 || sb == 1)) {
            Backends.DOUBLE.binary(op, a, ia, sa, b, ib, sb, out, o, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            out[o + j] = PortableDoubleBackend.apply(op, a[ia + j * sa], b[ib + j * sb]);
        }
    }

    /**
     * Folds every element of {@code x} (of shape {@code shape}) into {@code out} with {@code op};
     * {@code outStrides} gives per input axis the step in {@code out}, 0 on the axes being reduced.
     * {@code out} must start at the fold's identity (0, -infinity, +infinity). NaN propagates.
     */
    public static void reduceInto(ReduceOp op, double[] x, int[] shape, int[] outStrides, double[] out) {
        int rank = shape.length;
        int total = x.length;
        if (rank == 0) {
            out[0] = fold(op, out[0], x[0]);
            return;
        }
        int inner = shape[rank - 1];
        if (inner == 0 || total == 0) {
            return;
        }
        int innerOut = outStrides[rank - 1];
        int[] counter = new int[rank];
        int io = 0;
        for (int i = 0; i < total; i += inner) {
            if (op == ReduceOp.SUM) {
                if (innerOut == 0) {
                    double acc = 0;
                    for (int j = 0; j < inner; j++) {
                        acc += x[i + j];
                    }
                    out[io] += acc;
                } else {
                    for (int j = 0; j < inner; j++) {
                        out[io + j * innerOut] += x[i + j];
                    }
                }
            } else {
                for (int j = 0; j < inner; j++) {
                    out[io + j * innerOut] = fold(op, out[io + j * innerOut], x[i + j]);
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                io += outStrides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                io -= outStrides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }

    private static double fold(ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /**
     * For each of {@code outer * inner} lines of {@code extent} elements (the line of {@code (o, i)} starts
     * at {@code o * extent * inner + i} with step {@code inner}), the position of its largest (or smallest)
     * element; the first one on ties, and a NaN counts as the extreme.
     */
    public static void argReduce(double[] x, int outer, int extent, int inner, boolean max, int[] out) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * extent * inner + i;
                int best = 0;
                double bestValue = x[base];
                for (int t = 1; t < extent && bestValue == bestValue; t++) {
                    double v = x[base + t * inner];
                    if (v != v || (max ? v > bestValue : v < bestValue)) {
                        best = t;
                        bestValue = v;
                    }
                }
                out[o * inner + i] = best;
            }
        }
    }

    /** {@code out[i] = mask[i] != 0 ? a[i] : b[i]}. */
    public static void where(double[] mask, double[] a, double[] b, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = mask[i] != 0 ? a[i] : b[i];
        }
    }

    /**
     * Writes the dense {@code src} into the strided view {@code (dst, offset, dstStrides, shape)}, adding to
     * what is there when {@code accumulate} (so that overlapping view positions sum up), else assigning.
     */
    public static void stridedWrite(double[] src, double[] dst, int offset, int[] dstStrides, int[] shape,
                                    boolean accumulate) {
        int rank = shape.length;
        int total = src.length;
        if (rank == 0) {
            dst[offset] = accumulate ? dst[offset] + src[0] : src[0];
            return;
        }
        int inner = shape[rank - 1];
        if (inner == 0 || total == 0) {
            return;
        }
        int innerStride = dstStrides[rank - 1];
        int[] counter = new int[rank];
        int id = offset;
        for (int s = 0; s < total; s += inner) {
            if (accumulate) {
                for (int j = 0; j < inner; j++) {
                    dst[id + j * innerStride] += src[s + j];
                }
            } else {
                for (int j = 0; j < inner; j++) {
                    dst[id + j * innerStride] = src[s + j];
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                id += dstStrides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                id -= dstStrides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }

    /**
     * Along the middle axis of {@code src} viewed as {@code [outer, extent, inner]}, copies the slices
     * named by {@code indices} into {@code out} ({@code [outer, indices.length, inner]}).
     */
    public static void take(double[] src, int outer, int extent, int inner, int[] indices, double[] out) {
        int count = indices.length;
        for (int o = 0; o < outer; o++) {
            for (int t = 0; t < count; t++) {
                System.arraycopy(src, (o * extent + indices[t]) * inner, out, (o * count + t) * inner, inner);
            }
        }
    }

    /** The adjoint of {@link #take}: adds each slice of {@code src} back at its index in {@code dst}. */
    public static void indexAdd(double[] src, int outer, int extent, int inner, int[] indices, double[] dst) {
        int count = indices.length;
        for (int o = 0; o < outer; o++) {
            for (int t = 0; t < count; t++) {
                int from = (o * count + t) * inner;
                int to = (o * extent + indices[t]) * inner;
                for (int j = 0; j < inner; j++) {
                    dst[to + j] += src[from + j];
                }
            }
        }
    }

    /**
     * {@code out[pos] = src[pos with its coordinate on axis replaced by index[pos]]} for every position of
     * {@code indexShape} (NumPy's take_along_axis); {@code srcStrides} are the dense strides of src.
     * With {@code scatter}, the adjoint instead: {@code dst[that source position] += out[pos]}.
     */
    public static void gather(double[] src, int[] srcStrides, int axis, int[] index, int[] indexShape,
                              double[] out, boolean scatter) {
        int rank = indexShape.length;
        int[] counter = new int[rank];
        int base = 0;
        for (int o = 0; o < index.length; o++) {
            int at = base + index[o] * srcStrides[axis];
            if (scatter) {
                src[at] += out[o];
            } else {
                out[o] = src[at];
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (d != axis) {
                    base += srcStrides[d];
                }
                if (++counter[d] < indexShape[d]) {
                    break;
                }
                if (d != axis) {
                    base -= srcStrides[d] * indexShape[d];
                }
                counter[d] = 0;
            }
        }
    }

    /** Copies the strided view {@code (src, offset, srcStrides, shape)} into the dense {@code dst}. */
    public static void stridedCopy(double[] src, int offset, int[] srcStrides, double[] dst, int[] shape) {
        int rank = shape.length;
        int total = dst.length;
        if (rank == 0) {
            dst[0] = src[offset];
            return;
        }
        int inner = shape[rank - 1];
        if (inner == 0 || total == 0) {
            return;
        }
        int innerStride = srcStrides[rank - 1];
        int[] counter = new int[rank];
        int is = offset;
        for (int o = 0; o < total; o += inner) {
            for (int j = 0; j < inner; j++) {
                dst[o + j] = src[is + j * innerStride];
            }
            for (int d = rank - 2; d >= 0; d--) {
                is += srcStrides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                is -= srcStrides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }
}
