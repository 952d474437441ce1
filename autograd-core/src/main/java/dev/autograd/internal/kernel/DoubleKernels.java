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
     * {@code out = op(a, b)} over an output of shape {@code shape} (collapsed: see {@code Kernels.collapse});
     * {@code aStrides}/{@code bStrides} give, per output axis, the step in {@code a}/{@code b} (0 where that
     * operand is broadcast). Large outputs are cut into ranges of whole rows (or of one long row) over the
     * thread pool; every element is computed the same way whoever computes it.
     */
    public static void binary(BinaryOp op, double[] a, int[] aStrides, double[] b, int[] bStrides,
                              double[] out, int[] shape) {
        int rank = shape.length;
        if (rank == 0) {
            binaryRow(op, a, 0, 0, b, 0, 0, out, 0, 1);
            return;
        }
        int inner = shape[rank - 1];
        int total = out.length;
        if (inner == 0 || total == 0) {
            return;
        }
        int rows = total / inner;
        if (total < Kernels.PARALLEL_ELEMENTS) {
            binaryRows(op, a, aStrides, b, bStrides, out, shape, 0, rows);
        } else if (rows == 1) {
            int sa = aStrides[0];
            int sb = bStrides[0];
            Parallel.range(inner, Kernels.GRAIN, (s, e) -> binaryRow(op, a, s * sa, sa, b, s * sb, sb, out, s, e - s));
        } else {
            Parallel.range(rows, Math.max(1, Kernels.GRAIN / inner),
                    (r0, r1) -> binaryRows(op, a, aStrides, b, bStrides, out, shape, r0, r1));
        }
    }

    /** Rows {@code [rowStart, rowEnd)} of {@link #binary}: a row is the innermost axis. */
    private static void binaryRows(BinaryOp op, double[] a, int[] aStrides, double[] b, int[] bStrides,
                                   double[] out, int[] shape, int rowStart, int rowEnd) {
        int rank = shape.length;
        int inner = shape[rank - 1];
        int[] counter = new int[rank];
        int ia = Kernels.unravel(rowStart, shape, aStrides, counter);
        int ib = Kernels.offset(counter, bStrides);
        int innerA = aStrides[rank - 1];
        int innerB = bStrides[rank - 1];
        for (int row = rowStart; row < rowEnd; row++) {
            binaryRow(op, a, ia, innerA, b, ib, innerB, out, row * inner, inner);
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
     * The fused backward of a unary function over an output of shape {@code shape} (collapsed), with the
     * upstream gradient read through {@code gStrides} (0 on the axes it is broadcast along):
     * {@code out = g * f'(saved)}, see {@link DoubleBackend#unaryBackward}.
     */
    public static void unaryBackward(UnaryOp op, double[] g, int[] gStrides, double[] saved, double[] out,
                                     int[] shape, double p) {
        int rank = shape.length;
        int total = out.length;
        if (rank == 0) {
            Backends.DOUBLE.unaryBackward(op, g, 0, 0, saved, 0, out, 0, 1, p, false);
            return;
        }
        int inner = shape[rank - 1];
        if (inner == 0 || total == 0) {
            return;
        }
        int rows = total / inner;
        if (rows == 1) {
            int sg = gStrides[0];
            Parallel.range(inner, Kernels.GRAIN,
                    (s, e) -> Backends.DOUBLE.unaryBackward(op, g, s * sg, sg, saved, s, out, s, e - s, p, false));
            return;
        }
        Parallel.range(rows, Math.max(1, Kernels.GRAIN / inner), (r0, r1) -> {
            int[] counter = new int[rank];
            int ig = Kernels.unravel(r0, shape, gStrides, counter);
            int sg = gStrides[rank - 1];
            for (int row = r0; row < r1; row++) {
                Backends.DOUBLE.unaryBackward(op, g, ig, sg, saved, row * inner, out, row * inner, inner, p, false);
                for (int d = rank - 2; d >= 0; d--) {
                    ig += gStrides[d];
                    if (++counter[d] < shape[d]) {
                        break;
                    }
                    ig -= gStrides[d] * shape[d];
                    counter[d] = 0;
                }
            }
        });
    }

    /**
     * Folds {@code x} of the collapsed shape {@code shape} (dense) into {@code out}, which starts at the
     * fold's identity (0, -infinity or +infinity); {@code outStrides} gives per axis the step in
     * {@code out}, 0 on the axes being reduced. NaN propagates.
     *
     * <p>Every output element is folded in one fixed order, whatever the thread count: the reduced axes in
     * row-major order, and a long contiguous row as a fixed binary tree of blocks (pairwise summation:
     * the error grows with the log of the length, not the length). Threads share out output elements, or
     * the subtrees of one long row, never the terms of one sum in a timing-dependent way.
     */
    public static void reduce(ReduceOp op, double[] x, int[] shape, int[] outStrides, double[] out) {
        int rank = shape.length;
        if (rank == 0) {
            out[0] = fold(op, out[0], x[0]);
            return;
        }
        if (x.length == 0 || out.length == 0) {
            return;
        }
        int inner = shape[rank - 1];
        int[] kept = new int[rank - 1];
        int[] reduced = new int[rank - 1];
        int keptAxes = 0;
        int reducedAxes = 0;
        int[] xStrides = Shape.strides(shape);
        int reducedCount = 1;
        for (int d = 0; d < rank - 1; d++) {
            if (outStrides[d] == 0) {
                reduced[reducedAxes++] = d;
                reducedCount *= shape[d];
            } else {
                kept[keptAxes++] = d;
            }
        }
        int[] keptList = java.util.Arrays.copyOf(kept, keptAxes);
        int[] reducedList = java.util.Arrays.copyOf(reduced, reducedAxes);
        int combos = reducedCount;
        if (outStrides[rank - 1] == 0) {
            // Each output element folds `combos` contiguous rows of `inner` elements.
            int outputs = out.length;
            if (outputs == 1 && combos == 1) {
                out[0] = fold(op, out[0], foldRow(op, x, 0, inner, true));
                return;
            }
            long work = (long) outputs * combos * inner;
            int grain = (int) Math.max(1, Kernels.GRAIN / Math.max(1L, (long) combos * inner));
            Parallel.RangeBody body = (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    int base = Kernels.offsetOf(o, shape, keptList, xStrides);
                    double acc = out[o];
                    for (int r = 0; r < combos; r++) {
                        int off = base + Kernels.offsetOf(r, shape, reducedList, xStrides);
                        acc = fold(op, acc, foldRow(op, x, off, inner, false));
                    }
                    out[o] = acc;
                }
            };
            if (work < Kernels.PARALLEL_ELEMENTS) {
                body.run(0, outputs);
            } else {
                Parallel.range(outputs, grain, body);
            }
            return;
        }
        // The innermost axis is kept: each output row of `inner` elements folds `combos` input rows.
        // Column blocks keep the output block in L1 while the input rows stream past.
        int outRows = out.length / inner;
        int colBlocks = (inner + Kernels.COLUMN_BLOCK - 1) / Kernels.COLUMN_BLOCK;
        BinaryOp combine = op == ReduceOp.SUM ? BinaryOp.ADD : op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN;
        Parallel.ChunkBody body = task -> {
            int q = task / colBlocks;
            int c0 = (task % colBlocks) * Kernels.COLUMN_BLOCK;
            int len = Math.min(Kernels.COLUMN_BLOCK, inner - c0);
            int base = Kernels.offsetOf(q, shape, keptList, xStrides);
            int o = q * inner + c0;
            for (int r = 0; r < combos; r++) {
                int off = base + Kernels.offsetOf(r, shape, reducedList, xStrides) + c0;
                Backends.DOUBLE.binary(combine, out, o, 1, x, off, 1, out, o, len);
            }
        };
        int tasks = outRows * colBlocks;
        if ((long) out.length * combos < Kernels.PARALLEL_ELEMENTS) {
            for (int t = 0; t < tasks; t++) {
                body.run(t);
            }
        } else {
            Parallel.forEach(tasks, body);
        }
    }

    /**
     * The fold of one contiguous row. A sum over more than one block is a fixed binary tree of blocks
     * (its shape depends only on n); with {@code parallel}, the top subtrees of a long row are computed
     * on the pool, which gives the same bits as computing them in turn.
     */
    private static double foldRow(ReduceOp op, double[] x, int off, int n, boolean parallel) {
        if (op != ReduceOp.SUM) {
            if (!parallel || n < Kernels.PARALLEL_ELEMENTS) {
                return Backends.DOUBLE.extreme(x, off, n, op == ReduceOp.MAX);
            }
            int chunks = Parallel.chunks(n, Kernels.GRAIN);
            double[] parts = new double[chunks];
            Parallel.forEach(chunks, c -> {
                int s = Parallel.rangeStart(n, chunks, c);
                parts[c] = Backends.DOUBLE.extreme(x, off + s, Parallel.rangeStart(n, chunks, c + 1) - s,
                        op == ReduceOp.MAX);
            });
            double acc = parts[0];
            for (double v : parts) {
                acc = fold(op, acc, v);
            }
            return acc;
        }
        if (!parallel || n < Kernels.PARALLEL_ELEMENTS) {
            return pairwiseSum(x, off, n);
        }
        // The four subtrees two levels down, in parallel; combined as the sequential recursion would.
        int half = splitPoint(n);
        int quarterLeft = splitPoint(half);
        int quarterRight = splitPoint(n - half);
        int[] starts = {0, quarterLeft, half, half + quarterRight, n};
        double[] parts = new double[4];
        Parallel.forEach(4, c -> parts[c] = pairwiseSum(x, off + starts[c], starts[c + 1] - starts[c]));
        return (parts[0] + parts[1]) + (parts[2] + parts[3]);
    }

    /**
     * The pairwise sum of one contiguous row evaluated on the calling thread: the same tree, so the same
     * bits, as the parallel evaluation of a long row (tests compare the two).
     *
     * @param x   the values
     * @param off the first
     * @param n   how many
     * @return their sum
     */
    public static double sequentialSum(double[] x, int off, int n) {
        return pairwiseSum(x, off, n);
    }

    private static double pairwiseSum(double[] x, int off, int n) {
        if (n <= Kernels.SUM_BLOCK) {
            return Backends.DOUBLE.sum(x, off, n);
        }
        int half = splitPoint(n);
        return pairwiseSum(x, off, half) + pairwiseSum(x, off + half, n - half);
    }

    /** Where the pairwise tree splits {@code n} elements: after the first half of its blocks. */
    private static int splitPoint(int n) {
        if (n <= Kernels.SUM_BLOCK) {
            return n / 2;
        }
        int blocks = (n + Kernels.SUM_BLOCK - 1) / Kernels.SUM_BLOCK;
        return (blocks + 1) / 2 * Kernels.SUM_BLOCK;
    }

    /**
     * {@code out[o] += a[ia] * b[ib]} over every position of {@code shape}, each operand read through its
     * strides (0 where broadcast) and {@code out} through {@code outStrides} (0 on the summed axes). One
     * pass in row-major order: the gradient of a broadcast product, with its un-broadcasting sum fused.
     */
    public static void productSum(double[] a, int[] aStrides, double[] b, int[] bStrides, int[] shape,
                                  int[] outStrides, double[] out) {
        int rank = shape.length;
        int total = Shape.size(shape);
        if (rank == 0) {
            out[0] += a[0] * b[0];
            return;
        }
        int inner = shape[rank - 1];
        if (inner == 0 || total == 0) {
            return;
        }
        int sa = aStrides[rank - 1];
        int sb = bStrides[rank - 1];
        int so = outStrides[rank - 1];
        int[] counter = new int[rank];
        int ia = 0;
        int ib = 0;
        int io = 0;
        for (int row = 0; row < total; row += inner) {
            if (so == 0) {
                double acc = 0;
                for (int j = 0; j < inner; j++) {
                    acc += a[ia + j * sa] * b[ib + j * sb];
                }
                out[io] += acc;
            } else {
                for (int j = 0; j < inner; j++) {
                    out[io + j] += a[ia + j * sa] * b[ib + j * sb];
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                ia += aStrides[d];
                ib += bStrides[d];
                io += outStrides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                ia -= aStrides[d] * shape[d];
                ib -= bStrides[d] * shape[d];
                io -= outStrides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }

    /**
     * Softmax ({@code e^(x - m) / sum e^(x - m)}) or log-softmax ({@code x - m - log sum e^(x - m)}) along
     * the middle axis of {@code x} viewed as {@code [outer, extent, inner]}, m the largest value of each
     * line (0 when that is infinite, so that a line of -infinity gives NaN rather than a wrong number, as
     * the composed formula would). Lines are independent and split over the pool.
     */
    public static void softmax(double[] x, double[] out, int outer, int extent, int inner, boolean log) {
        if (extent == 0 || inner == 0) {
            return;
        }
        int grain = Math.max(1, Kernels.GRAIN / (extent * inner));
        if (inner == 1) {
            Parallel.range(outer, grain, (o0, o1) -> {
                double[] scalar = new double[1];
                for (int o = o0; o < o1; o++) {
                    int base = o * extent;
                    double m = Backends.DOUBLE.extreme(x, base, extent, true);
                    double shift = Math.abs(m) < Double.POSITIVE_INFINITY ? m : 0;
                    double s = Backends.DOUBLE.expShiftSum(x, base, shift, out, base, extent);
                    if (log) {
                        scalar[0] = (double) Math.log(s) + shift;
                        Backends.DOUBLE.binary(BinaryOp.SUB, x, base, 1, scalar, 0, 0, out, base, extent);
                    } else {
                        scalar[0] = s;
                        Backends.DOUBLE.binary(BinaryOp.DIV, out, base, 1, scalar, 0, 0, out, base, extent);
                    }
                }
            });
            return;
        }
        // Lines run across the inner axis: work on whole rows of `inner` values at a time, so every step is
        // a contiguous (vectorised) row operation.
        Parallel.range(outer, grain, (o0, o1) -> {
            double[] shift = new double[inner];
            double[] sum = new double[inner];
            for (int o = o0; o < o1; o++) {
                int base = o * extent * inner;
                System.arraycopy(x, base, shift, 0, inner);
                for (int t = 1; t < extent; t++) {
                    Backends.DOUBLE.binary(BinaryOp.MAX, shift, 0, 1, x, base + t * inner, 1, shift, 0, inner);
                }
                for (int i = 0; i < inner; i++) {
                    shift[i] = Math.abs(shift[i]) < Double.POSITIVE_INFINITY ? shift[i] : 0;
                }
                java.util.Arrays.fill(sum, 0);
                for (int t = 0; t < extent; t++) {
                    int row = base + t * inner;
                    Backends.DOUBLE.binary(BinaryOp.SUB, x, row, 1, shift, 0, 1, out, row, inner);
                    Backends.DOUBLE.unary(UnaryOp.EXP, out, row, out, row, inner, 0);
                    Backends.DOUBLE.binary(BinaryOp.ADD, sum, 0, 1, out, row, 1, sum, 0, inner);
                }
                if (log) {
                    Backends.DOUBLE.unary(UnaryOp.LOG, sum, 0, sum, 0, inner, 0);
                    Backends.DOUBLE.binary(BinaryOp.ADD, sum, 0, 1, shift, 0, 1, sum, 0, inner);
                }
                for (int t = 0; t < extent; t++) {
                    int row = base + t * inner;
                    if (log) {
                        Backends.DOUBLE.binary(BinaryOp.SUB, x, row, 1, sum, 0, 1, out, row, inner);
                    } else {
                        Backends.DOUBLE.binary(BinaryOp.DIV, out, row, 1, sum, 0, 1, out, row, inner);
                    }
                }
            }
        });
    }

    /**
     * The fused backward of {@link #softmax}, given the upstream gradient {@code g} and the output
     * {@code y}: {@code y * (g - sum(g * y))} for softmax, {@code g - e^y * sum(g)} for log-softmax, the
     * sums along each line.
     */
    public static void softmaxBackward(double[] g, double[] y, double[] out, int outer, int extent, int inner,
                                       boolean log) {
        if (extent == 0 || inner == 0) {
            return;
        }
        int grain = Math.max(1, Kernels.GRAIN / (extent * inner));
        Parallel.range(outer, grain, (o0, o1) -> {
            double[] dot = new double[inner];
            for (int o = o0; o < o1; o++) {
                int base = o * extent * inner;
                if (inner == 1) {
                    dot[0] = log ? Backends.DOUBLE.sum(g, base, extent) : Backends.DOUBLE.dot(g, base, y, base, extent);
                } else {
                    java.util.Arrays.fill(dot, 0);
                    for (int t = 0; t < extent; t++) {
                        int row = base + t * inner;
                        for (int i = 0; i < inner; i++) {
                            dot[i] += log ? g[row + i] : g[row + i] * y[row + i];
                        }
                    }
                }
                if (inner == 1) {
                    softmaxBackwardRow(g, y, out, base, extent, dot, 0, log);
                } else {
                    for (int t = 0; t < extent; t++) {
                        softmaxBackwardRow(g, y, out, base + t * inner, inner, dot, 1, log);
                    }
                }
            }
        });
    }

    /** One contiguous row of the softmax backward; {@code dot} is read with stride 0 (one line) or 1. */
    private static void softmaxBackwardRow(double[] g, double[] y, double[] out, int row, int n, double[] dot,
                                           int stride, boolean log) {
        if (log) {
            // out = g - e^y * sum(g)
            Backends.DOUBLE.unary(UnaryOp.EXP, y, row, out, row, n, 0);
            Backends.DOUBLE.binary(BinaryOp.MUL, out, row, 1, dot, 0, stride, out, row, n);
            Backends.DOUBLE.binary(BinaryOp.SUB, g, row, 1, out, row, 1, out, row, n);
        } else {
            // out = (g - sum(g y)) * y
            Backends.DOUBLE.binary(BinaryOp.SUB, g, row, 1, dot, 0, stride, out, row, n);
            Backends.DOUBLE.binary(BinaryOp.MUL, out, row, 1, y, row, 1, out, row, n);
        }
    }

    // ---------------------------------------------------------------- convolution and pooling

    /** Samples per chunk of a convolution: a function of the batch size only, so results do not depend on threads. */
    private static int sampleChunks(int n) {
        return Math.min(n, 8);
    }

    /**
     * The im2col matrix of sample {@code s} ({@code toColumns}): row {@code (ch kh + p) kw + q}, column
     * {@code i wo + j} of {@code cols} gets the input at {@code (i sh - ph + p dh, j sw - pw + q dw)} of
     * channel ch, 0 outside the input; or its adjoint, col2im (not {@code toColumns}): every entry of
     * {@code cols} is added back into {@code x} at the input position it came from. The columns j whose input
     * column falls inside are found once per (q), so the inner loops are plain copies or adds.
     */
    private static void windows(double[] x, int s, ConvGeometry g, double[] cols, boolean toColumns) {
        int c = g.c();
        int h = g.h();
        int w = g.w();
        int ho = g.ho();
        int wo = g.wo();
        int sw = g.sw();
        int plane = ho * wo;
        for (int ch = 0; ch < c; ch++) {
            int xBase = (s * c + ch) * h * w;
            for (int p = 0; p < g.kh(); p++) {
                for (int q = 0; q < g.kw(); q++) {
                    int row = ((ch * g.kh() + p) * g.kw() + q) * plane;
                    // Positions are compared in long: with a stride, padding or dilation near the int limit
                    // they leave the int range (a stride of 2^31 - 1 read x at index -(2^31 - 1)). The int
                    // indices may wrap on the way; only the final ones, inside x, are used.
                    long col0L = (long) q * g.dw() - g.pw();
                    int col0 = (int) col0L;
                    int j0 = firstInside(col0L, sw, wo);
                    int j1 = lastInside(col0L, sw, w, wo);
                    for (int i = 0; i < ho; i++) {
                        long rL = (long) i * g.sh() - g.ph() + (long) p * g.dh();
                        int r = (int) rL;
                        int at = row + i * wo;
                        boolean inside = rL >= 0 && rL < h && j0 < j1;
                        int xRow = xBase + r * w + col0;
                        if (!toColumns) {
                            for (int j = inside ? j0 : j1; j < j1; j++) {
                                x[xRow + j * sw] += cols[at + j];
                            }
                        } else if (!inside) {
                            java.util.Arrays.fill(cols, at, at + wo, 0);
                        } else {
                            // The zeroed margins are a column or two wide: plain loops, not Arrays.fill.
                            for (int j = 0; j < j0; j++) {
                                cols[at + j] = 0;
                            }
                            if (sw == 1) {
                                System.arraycopy(x, xRow + j0, cols, at + j0, j1 - j0);
                            } else {
                                for (int j = j0; j < j1; j++) {
                                    cols[at + j] = x[xRow + j * sw];
                                }
                            }
                            for (int j = j1; j < wo; j++) {
                                cols[at + j] = 0;
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first output column j with {@code col0 + j sw >= 0}. */
    private static int firstInside(long col0, int sw, int wo) {
        return col0 >= 0 ? 0 : (int) Math.min(wo, (-col0 + sw - 1) / sw);
    }

    /** One past the last output column j with {@code col0 + j sw < w}. */
    private static int lastInside(long col0, int sw, int w, int wo) {
        return col0 >= w ? 0 : (int) Math.min(wo, (w - 1 - col0) / sw + 1);
    }

    /**
     * 2-d convolution (cross-correlation) of {@code x} with {@code weight} plus {@code bias} (or null) into
     * {@code y}: per sample, the im2col matrix times each group's weights, one GEMM per group. Samples are
     * split over the pool (each GEMM then runs on its thread); a single sample's GEMMs use the pool instead.
     */
    public static void conv2d(double[] x, double[] weight, double[] bias, ConvGeometry g, double[] y) {
        int plane = g.plane();
        int og = g.groupOutputs();
        int kg = g.groupPatch();
        int chunks = sampleChunks(g.n());
        Parallel.forEach(chunks, chunk -> {
            double[] cols = new double[g.c() * g.kh() * g.kw() * plane];
            for (int s = Parallel.rangeStart(g.n(), chunks, chunk); s < Parallel.rangeStart(g.n(), chunks, chunk + 1); s++) {
                windows(x, s, g, cols, true);
                int yBase = s * g.o() * plane;
                if (bias != null) {
                    for (int oc = 0; oc < g.o(); oc++) {
                        java.util.Arrays.fill(y, yBase + oc * plane, yBase + (oc + 1) * plane, bias[oc]);
                    }
                }
                for (int gi = 0; gi < g.groups(); gi++) {
                    DoubleGemm.gemm(Backends.DOUBLE, true, false, false, og, plane, kg, 1, weight, gi * og * kg, kg, cols, gi * kg * plane,
                            plane, bias == null ? 0 : 1, y, yBase + gi * og * plane, plane);
                }
            }
        });
    }

    /**
     * The fused backward of {@link #conv2d}: {@code dx} (zeroed, or null when not needed) receives, per
     * sample, col2im of {@code W^T dy}; {@code dw} (zeroed, or null) receives {@code sum_s dy_s cols_s^T},
     * summed per chunk of samples and then over chunks in order; {@code db} (or null) the sums of dy over
     * samples and positions. The im2col matrices are recomputed rather than kept from the forward pass.
     */
    public static void conv2dBackward(double[] x, double[] weight, double[] dy, ConvGeometry g, double[] dx,
                                      double[] dw, double[] db) {
        int plane = g.plane();
        int og = g.groupOutputs();
        int kg = g.groupPatch();
        int chunks = sampleChunks(g.n());
        int weights = g.o() * kg;
        double[] partials = dw == null ? null : new double[chunks * weights];
        Parallel.forEach(chunks, chunk -> {
            int patch = g.c() * g.kh() * g.kw() * plane;
            double[] cols = dw == null ? null : new double[patch];
            double[] dcols = dx == null ? null : new double[patch];
            for (int s = Parallel.rangeStart(g.n(), chunks, chunk); s < Parallel.rangeStart(g.n(), chunks, chunk + 1); s++) {
                int yBase = s * g.o() * plane;
                if (cols != null) {
                    windows(x, s, g, cols, true);
                }
                for (int gi = 0; gi < g.groups(); gi++) {
                    if (cols != null) {
                        // dW_g += dY_g cols_g^T: [og, plane] x [plane, kg], cols stored [kg, plane]
                        DoubleGemm.gemm(Backends.DOUBLE, true, false, true, og, kg, plane, 1, dy, yBase + gi * og * plane, plane, cols,
                                gi * kg * plane, plane, 1, partials, chunk * weights + gi * og * kg, kg);
                    }
                    if (dcols != null) {
                        // dcols_g = W_g^T dY_g: [kg, og] x [og, plane], W_g stored [og, kg]
                        DoubleGemm.gemm(Backends.DOUBLE, true, true, false, kg, plane, og, 1, weight, gi * og * kg, kg, dy,
                                yBase + gi * og * plane, plane, 0, dcols, gi * kg * plane, plane);
                    }
                }
                if (dcols != null) {
                    windows(dx, s, g, dcols, false);
                }
            }
        });
        if (dw != null) {
            for (int chunk = 0; chunk < chunks; chunk++) {
                Backends.DOUBLE.binary(BinaryOp.ADD, dw, 0, 1, partials, chunk * weights, 1, dw, 0, weights);
            }
        }
        if (db != null) {
            for (int s = 0; s < g.n(); s++) {
                for (int oc = 0; oc < g.o(); oc++) {
                    db[oc] += Backends.DOUBLE.sum(dy, (s * g.o() + oc) * plane, plane);
                }
            }
        }
    }

    /**
     * Max pooling: each output is the largest input of its window, padding counting as -infinity (the
     * caller ensures every window holds at least one input). Planes are split over the pool. A whole output
     * row is computed at once, one window offset (p, q) at a time over the columns j whose input falls
     * inside, so the inner loop is long and free of bounds tests (window by window, the inner loops of two
     * elements ran six times slower).
     */
    public static void maxPool2d(double[] x, ConvGeometry g, double[] y) {
        int planes = g.n() * g.c();
        Parallel.range(planes, Math.max(1, Kernels.GRAIN / Math.max(1, g.plane() * g.kh() * g.kw())), (p0, p1) -> {
            int h = g.h();
            int w = g.w();
            int ho = g.ho();
            int wo = g.wo();
            int sw = g.sw();
            if (isPairPooling(g)) {
                maxPoolPairs(x, g, y, p0, p1);
                return;
            }
            for (int pl = p0; pl < p1; pl++) {
                int xBase = pl * h * w;
                for (int i = 0; i < ho; i++) {
                    int out = (pl * ho + i) * wo;
                    java.util.Arrays.fill(y, out, out + wo, Double.NEGATIVE_INFINITY);
                    int r0 = i * g.sh() - g.ph();
                    for (int r = Math.max(r0, 0); r < Math.min(r0 + g.kh(), h); r++) {
                        for (int q = 0; q < g.kw(); q++) {
                            int col0 = q - g.pw();
                            int j0 = firstInside(col0, sw, wo);
                            int j1 = lastInside(col0, sw, w, wo);
                            int in = xBase + r * w + col0;
                            // Math.max propagates NaN, so a window holding one gives NaN.
                            for (int j = j0; j < j1; j++) {
                                y[out + j] = Math.max(y[out + j], x[in + j * sw]);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * The fused backward of {@link #maxPool2d}: each window's gradient goes to the inputs equal to its
     * maximum, shared evenly among ties; overlapping windows accumulate into {@code dx} (zeroed). Row by
     * row as the forward pass: one pass counts each window's maxima, a second adds {@code dy / count} where
     * an input equals its window's maximum (distinct windows of one pass touch distinct inputs).
     */
    public static void maxPool2dBackward(double[] x, double[] y, double[] dy, ConvGeometry g, double[] dx) {
        int planes = g.n() * g.c();
        Parallel.range(planes, Math.max(1, Kernels.GRAIN / Math.max(1, g.plane() * g.kh() * g.kw())), (p0, p1) -> {
            int h = g.h();
            int w = g.w();
            int ho = g.ho();
            int wo = g.wo();
            int sw = g.sw();
            if (isPairPooling(g)) {
                maxPoolPairsBackward(x, y, dy, g, dx, p0, p1);
                return;
            }
            int[] count = new int[wo];
            double[] share = new double[wo];
            // Windows that neither overlap nor reach into padding each own their inputs: dx is then written
            // once, in place of a read-modify-write of every input.
            boolean disjoint = g.sh() >= g.kh() && g.sw() >= g.kw();
            for (int pl = p0; pl < p1; pl++) {
                int xBase = pl * h * w;
                for (int i = 0; i < ho; i++) {
                    int out = (pl * ho + i) * wo;
                    int r0 = i * g.sh() - g.ph();
                    int rs = Math.max(r0, 0);
                    int re = Math.min(r0 + g.kh(), h);
                    java.util.Arrays.fill(count, 0);
                    for (int r = rs; r < re; r++) {
                        for (int q = 0; q < g.kw(); q++) {
                            int col0 = q - g.pw();
                            int in = xBase + r * w + col0;
                            countMaxima(x, in, sw, y, out, count, firstInside(col0, sw, wo), lastInside(col0, sw, w, wo));
                        }
                    }
                    for (int j = 0; j < wo; j++) {
                        share[j] = count[j] == 0 ? 0 : dy[out + j] / count[j];
                    }
                    for (int r = rs; r < re; r++) {
                        for (int q = 0; q < g.kw(); q++) {
                            int col0 = q - g.pw();
                            int in = xBase + r * w + col0;
                            if (disjoint) {
                                setAtMaxima(x, in, sw, y, out, share, dx, firstInside(col0, sw, wo),
                                        lastInside(col0, sw, w, wo));
                            } else {
                                addAtMaxima(x, in, sw, y, out, share, dx, firstInside(col0, sw, wo),
                                        lastInside(col0, sw, w, wo));
                            }
                        }
                    }
                }
            }
        });
    }

    /** The common 2x2, stride-2, unpadded pooling, which gets loops of its own. */
    private static boolean isPairPooling(ConvGeometry g) {
        return g.kh() == 2 && g.kw() == 2 && g.sh() == 2 && g.sw() == 2 && g.ph() == 0 && g.pw() == 0;
    }

    /** 2x2 windows of stride 2: each output reads its four inputs into locals; no inner loops. */
    private static void maxPoolPairs(double[] x, ConvGeometry g, double[] y, int p0, int p1) {
        int h = g.h();
        int w = g.w();
        int ho = g.ho();
        int wo = g.wo();
        for (int pl = p0; pl < p1; pl++) {
            for (int i = 0; i < ho; i++) {
                int top = (pl * h + 2 * i) * w;
                int bottom = top + w;
                int out = (pl * ho + i) * wo;
                for (int j = 0; j < wo; j++) {
                    y[out + j] = Math.max(Math.max(x[top + 2 * j], x[top + 2 * j + 1]),
                            Math.max(x[bottom + 2 * j], x[bottom + 2 * j + 1]));
                }
            }
        }
    }

    /**
     * The backward of {@link #maxPoolPairs}, one pass: the windows are disjoint, so each input's gradient is
     * written once, {@code dy / ties} at the maxima and 0 elsewhere (the selections are integer comparisons
     * of the bits, as in {@link #countMaxima}).
     */
    private static void maxPoolPairsBackward(double[] x, double[] y, double[] dy, ConvGeometry g, double[] dx,
                                             int p0, int p1) {
        int h = g.h();
        int w = g.w();
        int ho = g.ho();
        int wo = g.wo();
        for (int pl = p0; pl < p1; pl++) {
            for (int i = 0; i < ho; i++) {
                int top = (pl * h + 2 * i) * w;
                int bottom = top + w;
                int out = (pl * ho + i) * wo;
                for (int j = 0; j < wo; j++) {
                    long m = Double.doubleToRawLongBits(y[out + j]);
                    int a = Double.doubleToRawLongBits(x[top + 2 * j]) == m ? 1 : 0;
                    int b = Double.doubleToRawLongBits(x[top + 2 * j + 1]) == m ? 1 : 0;
                    int c = Double.doubleToRawLongBits(x[bottom + 2 * j]) == m ? 1 : 0;
                    int d = Double.doubleToRawLongBits(x[bottom + 2 * j + 1]) == m ? 1 : 0;
                    int ties = a + b + c + d;
                    double share = ties == 0 ? 0 : dy[out + j] / ties;
                    dx[top + 2 * j] = a * share;
                    dx[top + 2 * j + 1] = b * share;
                    dx[bottom + 2 * j] = c * share;
                    dx[bottom + 2 * j + 1] = d * share;
                }
            }
        }
    }

    // Both loops select with integer comparisons of the bits, and count in ints: C2 turns those into
    // conditional moves, while a floating-point comparison stays a branch, mispredicted for about every
    // other maximum, and a floating-point count is several times slower. Equal bits is the maximum itself:
    // of -0 and +0 only the one that won, and a NaN that won.
    private static void countMaxima(double[] x, int in, int sw, double[] y, int out, int[] count, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            count[j] += Double.doubleToRawLongBits(x[in + j * sw]) == Double.doubleToRawLongBits(y[out + j]) ? 1 : 0;
        }
    }

    private static void setAtMaxima(double[] x, int in, int sw, double[] y, int out, double[] share, double[] dx,
                                    int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            int at = in + j * sw;
            int eq = Double.doubleToRawLongBits(x[at]) == Double.doubleToRawLongBits(y[out + j]) ? 1 : 0;
            dx[at] = eq * share[j];
        }
    }

    private static void addAtMaxima(double[] x, int in, int sw, double[] y, int out, double[] share, double[] dx,
                                    int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            int at = in + j * sw;
            int eq = Double.doubleToRawLongBits(x[at]) == Double.doubleToRawLongBits(y[out + j]) ? 1 : 0;
            dx[at] += eq * share[j];
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
