package dev.autograd.internal.kernel;

import java.util.Arrays;

/**
 * General matrix multiply on float64 arrays, {@code C = alpha * op(A) * op(B) + beta * C}, in the
 * BLIS/GotoBLAS style: the operands are copied ("packed") into contiguous, cache-sized panels and a register
 * blocked micro-kernel ({@link DoubleBackend#gemmKernel}) runs over them. The build generates
 * {@code FloatGemm} from this file; keep it generation-safe (no decimal literals).
 *
 * <h2>Arguments</h2>
 * As in BLAS, row-major: {@code op(A)} is {@code m x k}, {@code op(B)} is {@code k x n}, C is {@code m x n};
 * element {@code (i, j)} of a stored matrix {@code X} is {@code x[xOff + i * ldx + j]}. With {@code transA},
 * A is stored {@code k x m} and read transposed in place (likewise B): the backward pass computes
 * {@code G * B^T} and {@code A^T * G} without transposed copies. {@code beta == 0} means C is written and
 * never read (it may hold garbage or NaN); {@code beta == 1} accumulates into C; {@code alpha == 0} or
 * {@code k == 0} leaves {@code beta * C} (A and B are then not read). Alpha is applied while A is packed
 * and any beta other than 0 and 1 by scaling C first, so that the micro-kernel only overwrites or
 * accumulates.
 *
 * <h2>Loops</h2>
 * Five loops around the micro-kernel, outermost first:
 * <ol>
 *   <li>{@code jc}: columns of C in blocks of {@code nc};</li>
 *   <li>{@code pc}: the depth in blocks of {@code kc}; op(B)'s {@code kc x nc} block is packed into
 *       micro-panels of NR columns, shared by all threads;</li>
 *   <li>{@code ic}: rows of C in blocks of {@code mc}; op(A)'s {@code mc x kc} block is packed into
 *       micro-panels of MR rows, private to the thread;</li>
 *   <li>{@code jr}: one B micro-panel ({@code kc x NR}), which stays in L1 across the next loop;</li>
 *   <li>{@code ir}: one A micro-panel ({@code MR x kc}, from L2) times that B micro-panel into an
 *       {@code MR x NR} tile of C, by the micro-kernel.</li>
 * </ol>
 * Partial panels at the right and bottom edges are packed with zeros. A kernel that updates partial tiles
 * itself ({@link DoubleBackend#gemmPartialTiles()}: the portable one) gets the edge tile's size; for a
 * register-blocked kernel, which always computes a full tile, the edge tile's valid part is copied into a
 * scratch tile, updated there by the same micro-kernel and copied back. Either way interior tiles pay
 * nothing for the edges, and edge elements get the same arithmetic as interior ones.
 *
 * <h2>Block sizes</h2>
 * Derived from the micro-kernel's MR and NR, the element size and a cache model of the machine this was
 * tuned on (AMD Zen 5 EPYC: L1d 48 KiB and L2 1 MiB per core, L3 32 MiB shared), after BLIS's analytical
 * model (Low et al., "Analytical modeling is enough for high-performance BLIS", TOMS 2016):
 * <ul>
 *   <li>{@code kc}: a B micro-panel ({@code kc * NR} elements) stays in L1 while every A micro-panel of
 *       the block streams past it, so it gets two thirds of L1 (8 of its 12 ways), the A micro-panel and
 *       the C tile the rest; kept in [{@value #KC_MIN}, {@value #KC_MAX}] so that a tile's C load and
 *       store stay small beside its {@code kc} steps. AVX-512 (NR = 16 doubles or 32 floats, 128 bytes a
 *       row) gives 256; AVX2 (NR = 8 or 16) gets {@value #KC_MAX}; the portable kernel (NR = 256, which
 *       keeps one B row in L1 at a time, not the micro-panel) gets {@value #KC_MIN}. Measured on
 *       Zen 5: half of L1 (kc = 192) ran 4-8% slower than two thirds; an 8 x 3 block whose B micro-panel
 *       filled all of L1 was no faster; with AVX2, kc from 256 to 512 came within noise of each other.</li>
 *   <li>{@code mc}: a packed A block ({@code mc * kc}) takes half of L2, where it stays for the whole
 *       {@code jr} loop; the other half holds the B micro-panels and C lines passing through.</li>
 *   <li>{@code nc}: a packed B block ({@code kc * nc}), shared by the threads, takes
 *       {@value #L3_SHARE_BYTES} bytes of the shared L3 (an eighth of it: other processes use it too).</li>
 * </ul>
 * Each call then evens the blocks out ({@code k = 144} runs two blocks of 72, not 128 and 16).
 *
 * <h2>Threads</h2>
 * For each {@code (jc, pc)} block, all threads first pack B's micro-panels together, then the block's
 * tiles are cut into up to four chunks per thread ({@link Parallel#chunks}; claimed dynamically, so a core
 * busy with something else does not hold the others up): by rows ({@code ic}/{@code ir}) when there are
 * enough row panels, else also by columns ({@code jr}), a chunk then packing the A rows it needs itself. K is never split: every element of C is the same sum of the same products in the same
 * order whatever the thread count, and each tile's update is the same arithmetic whoever runs it, so the
 * result is bit-identical with one thread or many, and from run to run. Below {@value #PARALLEL_WORK}
 * multiply-adds per block a call stays on the calling thread.
 *
 * <h2>Small products</h2>
 * Below {@value #SMALL_WORK} multiply-adds, or when C has fewer than half a tile's rows or columns (a
 * 128 x 10 output layer, a vector-matrix product) and the kernel computes whole tiles, the product runs
 * on the calling thread without packing: rows of C updated by {@link DoubleBackend#axpy} when op(B)'s rows
 * are contiguous and wide, columns of C built the same way from a transposed A's rows, else dot products
 * ({@link DoubleBackend#dot}) of op(A)'s rows and op(B)'s columns, a strided operand gathered first.
 * Padding a 10-column output to 32 columns would waste two thirds of the packed path's work (measured,
 * float32: 128 x 10 x 128 takes 9 us this way against 11 us packed, 256 x 2 x 256 9 us against 51 us).
 *
 * <h2>Workspaces</h2>
 * Packed panels live in per-thread buffers that grow to the largest block a thread has needed (bounded by
 * the block sizes above) and are then reused: no allocation per call in steady state.
 */
public final class DoubleGemm {

    /** L1 data cache per core, in bytes (Zen 5: 48 KiB). */
    private static final int L1_BYTES = 48 * 1024;
    /** L2 cache per core, in bytes (Zen 5: 1 MiB). */
    private static final int L2_BYTES = 1024 * 1024;
    /** The part of the shared L3 given to a packed B block, in bytes. */
    private static final int L3_SHARE_BYTES = 4 * 1024 * 1024;
    /** Bytes per element. */
    private static final int ELEMENT_BYTES = Double.BYTES;
    /** Shallowest depth block: below it a tile's C load and store are no longer small beside its FMAs. */
    private static final int KC_MIN = 64;
    /** Deepest depth block. */
    private static final int KC_MAX = 384;

    /**
     * Below this many multiply-adds ({@code m * n * k}) a product skips packing. Measured on Zen 5: from
     * 8 x 8 x 8 up, the packed path on one thread is as fast as the unpacked one (16 x 16 x 16: 0.5 against
     * 0.9 us; 24 x 24 x 24: 0.8 against 3.6 us), so only the tiniest and the narrow products stay unpacked.
     */
    static final long SMALL_WORK = 8 * 8 * 8;
    /** Outputs narrower than this go to the small path with a kernel that takes partial tiles. */
    private static final int PARTIAL_NARROW_COLUMNS = 8;
    /** Stored rows of a transposed B packed together (one cache line of float64 per packed step). */
    private static final int TRANSPOSE_BLOCK = 8;
    /** Rows of op(B) at least this wide are updated by axpy on the small path; narrower ones use dots. */
    private static final int SMALL_AXPY_WIDTH = 16;
    /** Below this many multiply-adds per {@code (jc, pc)} block the work stays on the calling thread. */
    static final long PARALLEL_WORK = 1L << 19;
    /** Elements of B worth packing on a thread of their own (a transposed B packs at about one per ns). */
    static final int PACK_GRAIN = 1 << 14;
    /** Batch entries below this many multiply-adds each run whole on one thread, in parallel by entry. */
    static final long BATCH_ENTRY_SPLIT_WORK = 1L << 22;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private DoubleGemm() {
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} with the backend chosen at start-up, on the kernel
     * thread pool when large enough (see the class documentation for arguments and guarantees).
     *
     * @param transA whether A is stored {@code k x m} and read transposed
     * @param transB whether B is stored {@code n x k} and read transposed
     * @param m      rows of C
     * @param n      columns of C
     * @param k      the inner dimension
     * @param alpha  factor of the product
     * @param a      A's array
     * @param aOff   index of A's first element
     * @param lda    distance between stored rows of A
     * @param b      B's array
     * @param bOff   index of B's first element
     * @param ldb    distance between stored rows of B
     * @param beta   factor of the old C; 0 means C is not read
     * @param c      C's array, updated in place
     * @param cOff   index of C's first element
     * @param ldc    distance between rows of C
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
                            int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff,
                            int ldc) {
        gemm(Backends.DOUBLE, true, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@link #gemm(boolean, boolean, int, int, int, double, double[], int, int, double[], int, int, double,
     * double[], int, int)} with a given micro-kernel, and on the calling thread alone unless
     * {@code parallel}: for tests and benchmarks comparing backends and thread counts.
     *
     * @param kernel   the backend whose micro-kernel (and axpy, dot) run
     * @param parallel whether the kernel thread pool may be used
     * @param transA   whether A is stored {@code k x m} and read transposed
     * @param transB   whether B is stored {@code n x k} and read transposed
     * @param m        rows of C
     * @param n        columns of C
     * @param k        the inner dimension
     * @param alpha    factor of the product
     * @param a        A's array
     * @param aOff     index of A's first element
     * @param lda      distance between stored rows of A
     * @param b        B's array
     * @param bOff     index of B's first element
     * @param ldb      distance between stored rows of B
     * @param beta     factor of the old C; 0 means C is not read
     * @param c        C's array, updated in place
     * @param cOff     index of C's first element
     * @param ldc      distance between rows of C
     */
    public static void gemm(DoubleBackend kernel, boolean parallel, boolean transA, boolean transB, int m, int n,
                            int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc) {
        checkDimensions(m, n, k);
        checkOperands(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        run(kernel, parallel, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * A batch of products of one shape, {@code C[t] = alpha * op(A[t]) * op(B[t]) + beta * C[t]} for
     * {@code t < aOffsets.length}, matrix {@code t} of each operand starting at its offset (offsets may
     * repeat: a broadcast operand). Small entries run in parallel, one whole entry per thread; large ones one
     * after the other, each on the whole pool. Entries whose C regions overlap (several products summed
     * into one gradient with {@code beta = 1}) run one after the other, in order.
     *
     * @param kernel   the backend whose micro-kernel runs
     * @param parallel whether the kernel thread pool may be used
     * @param transA   whether each A is stored {@code k x m} and read transposed
     * @param transB   whether each B is stored {@code n x k} and read transposed
     * @param m        rows of each C
     * @param n        columns of each C
     * @param k        the inner dimension
     * @param alpha    factor of the products
     * @param a        the A matrices' array
     * @param aOffsets index of each A's first element
     * @param lda      distance between stored rows of each A
     * @param b        the B matrices' array
     * @param bOffsets index of each B's first element
     * @param ldb      distance between stored rows of each B
     * @param beta     factor of the old C; 0 means C is not read
     * @param c        the C matrices' array, updated in place
     * @param cOffsets index of each C's first element
     * @param ldc      distance between rows of each C
     */
    public static void gemmBatched(DoubleBackend kernel, boolean parallel, boolean transA, boolean transB, int m,
                                   int n, int k, double alpha, double[] a, int[] aOffsets, int lda, double[] b,
                                   int[] bOffsets, int ldb, double beta, double[] c, int[] cOffsets, int ldc) {
        int batches = aOffsets.length;
        if (bOffsets.length != batches || cOffsets.length != batches) {
            throw new IllegalArgumentException("gemmBatched: " + batches + " A offsets, " + bOffsets.length
                    + " B offsets and " + cOffsets.length + " C offsets");
        }
        checkDimensions(m, n, k);
        for (int t = 0; t < batches; t++) {
            checkOperands(transA, transB, m, n, k, a.length, aOffsets[t], lda, b.length, bOffsets[t], ldb,
                    c.length, cOffsets[t], ldc);
        }
        long entryWork = (long) m * n * k;
        boolean byEntry = parallel && batches > 1 && Parallel.threads() > 1 && entryWork < BATCH_ENTRY_SPLIT_WORK
                && !overlapping(cOffsets, m, n, ldc);
        if (byEntry) {
            int grain = (int) Math.max(1, PARALLEL_WORK / Math.max(1, entryWork));
            Parallel.range(batches, grain, (first, end) -> {
                for (int t = first; t < end; t++) {
                    run(kernel, false, transA, transB, m, n, k, alpha, a, aOffsets[t], lda, b, bOffsets[t], ldb,
                            beta, c, cOffsets[t], ldc);
                }
            });
        } else {
            for (int t = 0; t < batches; t++) {
                run(kernel, parallel, transA, transB, m, n, k, alpha, a, aOffsets[t], lda, b, bOffsets[t], ldb,
                        beta, c, cOffsets[t], ldc);
            }
        }
    }

    /** Whether two of the C regions, each spanning {@code (m - 1) * ldc + n} elements, share an index. */
    private static boolean overlapping(int[] offsets, int m, int n, int ldc) {
        if (m == 0 || n == 0) {
            return false;
        }
        int[] sorted = offsets.clone();
        Arrays.sort(sorted);
        long span = (long) (m - 1) * ldc + n;
        for (int t = 1; t < sorted.length; t++) {
            if (sorted[t] < sorted[t - 1] + span) {
                return true;
            }
        }
        return false;
    }

    private static void checkDimensions(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative dimension in m=" + m + ", n=" + n + ", k=" + k);
        }
    }

    private static void checkOperands(boolean transA, boolean transB, int m, int n, int k, int aLength, int aOff,
                                      int lda, int bLength, int bOff, int ldb, int cLength, int cOff, int ldc) {
        checkMatrix("A", transA ? k : m, transA ? m : k, aLength, aOff, lda);
        checkMatrix("B", transB ? n : k, transB ? k : n, bLength, bOff, ldb);
        checkMatrix("C", m, n, cLength, cOff, ldc);
    }

    /**
     * A stored {@code rows x cols} matrix must have {@code ld >= cols} (0 allowed for an empty one, as the
     * ops layer passes its widths) and lie inside its array.
     */
    private static void checkMatrix(String name, int rows, int cols, int length, int off, int ld) {
        if (ld < cols) {
            throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld + ", less than its "
                    + cols + " stored columns");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > length) {
            throw new IndexOutOfBoundsException("gemm: " + name + " (" + rows + " x " + cols + ", offset " + off
                    + ", leading dimension " + ld + ") does not fit its array of " + length + " elements");
        }
    }

    /** The product on checked arguments. */
    private static void run(DoubleBackend kernel, boolean parallel, boolean transA, boolean transB, int m, int n,
                            int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0) {
            scale(c, cOff, ldc, m, n, beta);
            return;
        }
        if (isSmall(kernel, m, n, k)) {
            small(kernel, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        // The micro-kernel only overwrites or accumulates: another beta scales C first.
        if (beta != 0 && beta != 1) {
            scale(c, cOff, ldc, m, n, beta);
        }
        new Blocked(kernel, parallel, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta != 0, c, cOff,
                ldc).run();
    }

    /**
     * Whether packing would cost more than it saves: little work, fewer rows than half a tile, or fewer
     * columns than half a tile of a kernel that computes whole tiles (most of each tile would be padding).
     * The portable kernel takes partial tiles but needs long rows for its vector loop: on 2 columns it ran
     * 6 times slower than dot products, on 10 columns somewhat faster (both slow, scalar code either way).
     */
    static boolean isSmall(DoubleBackend kernel, int m, int n, int k) {
        int narrowColumns = kernel.gemmPartialTiles() ? PARTIAL_NARROW_COLUMNS : (kernel.gemmNr() + 1) / 2;
        return (long) m * n * k < SMALL_WORK || 2 * m < kernel.gemmMr() || n < narrowColumns;
    }

    /** {@code C = beta * C}; with {@code beta == 0} C is overwritten with zeros, garbage and NaN included. */
    private static void scale(double[] c, int cOff, int ldc, int m, int n, double beta) {
        if (beta == 1) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0) {
                Arrays.fill(c, row, row + n, 0);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    /** {@code alpha * ab + beta * c[i]}, not reading {@code c[i]} when {@code beta == 0}. */
    private static double updated(double ab, double[] c, int i, double alpha, double beta) {
        double scaled = alpha == 1 ? ab : alpha * ab;
        if (beta == 0) {
            return scaled;
        }
        return scaled + (beta == 1 ? c[i] : beta * c[i]);
    }

    /**
     * The unthreaded path for tiny and narrow products, in one of three shapes, each running its inner loop
     * over contiguous memory: when op(B)'s rows are contiguous and wide enough to fill vectors, each row of
     * C gains {@code alpha * A(i, p)} times row {@code p} of op(B) (backend axpy); when op(A)'s columns
     * are (a transposed A) and long, each column of C is built the same way from A's stored rows in the
     * thread's workspace, then written; otherwise every element is a dot product (backend dot) of a row of
     * op(A) and a column of op(B), whichever of the two is strided being gathered first.
     */
    private static void small(DoubleBackend kernel, boolean transA, boolean transB, int m, int n, int k,
                              double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                              double beta, double[] c, int cOff, int ldc) {
        if (!transB && n >= SMALL_AXPY_WIDTH) {
            scale(c, cOff, ldc, m, n, beta);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    kernel.axpy(n, alpha * aip, b, bOff + p * ldb, c, row);
                }
            }
            return;
        }
        if (transA && m >= SMALL_AXPY_WIDTH) {
            double[] column = WORKSPACE.get().a(m);
            for (int j = 0; j < n; j++) {
                Arrays.fill(column, 0, m, 0);
                for (int p = 0; p < k; p++) {
                    double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    kernel.axpy(m, bpj, a, aOff + p * lda, column, 0);
                }
                for (int i = 0; i < m; i++) {
                    int at = cOff + i * ldc + j;
                    c[at] = updated(column[i], c, at, alpha, beta);
                }
            }
            return;
        }
        Workspace ws = WORKSPACE.get();
        // Column j of op(B) starts at bCols[bStart + j * bStep], contiguous.
        double[] bCols = b;
        int bStart = bOff;
        int bStep = ldb;
        if (!transB) {
            bCols = ws.b(n * k);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bCols[j * k + p] = b[bOff + p * ldb + j];
                }
            }
            bStart = 0;
            bStep = k;
        }
        double[] aRow = transA ? ws.a(k) : a;
        for (int i = 0; i < m; i++) {
            int aStart = aOff + i * lda;
            if (transA) {
                for (int p = 0; p < k; p++) {
                    aRow[p] = a[aOff + p * lda + i];
                }
                aStart = 0;
            }
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                double ab = kernel.dot(k, aRow, aStart, bCols, bStart + j * bStep);
                c[row + j] = updated(ab, c, row + j, alpha, beta);
            }
        }
    }

    /**
     * Packs rows {@code [i0, i0 + rows)} and depths {@code [p0, p0 + kc)} of {@code alpha * op(A)} into
     * micro-panels of {@code mr} rows: panel {@code r} holds {@code alpha * A(i0 + r * mr + i, p0 + p)} at
     * {@code r * mr * kc + p * mr + i}; rows past the end are zeros. (Multiplying by 1 is exact: the common
     * {@code alpha = 1} costs nothing in accuracy.)
     */
    static void packA(boolean transA, double alpha, double[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
                      int mr, double[] dst) {
        for (int r0 = 0; r0 < rows; r0 += mr) {
            int height = Math.min(mr, rows - r0);
            int panel = r0 * kc;
            if (transA) {
                // A(i, p) = a[p * lda + i]: each depth is a contiguous run of the panel's rows.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + r0;
                    int to = panel + p * mr;
                    for (int i = 0; i < height; i++) {
                        dst[to + i] = alpha * a[src + i];
                    }
                }
            } else {
                // A(i, p) = a[i * lda + p]: read each row forward, write it with stride mr.
                for (int i = 0; i < height; i++) {
                    int src = aOff + (i0 + r0 + i) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * mr + i] = alpha * a[src + p];
                    }
                }
            }
            if (height < mr) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(dst, panel + p * mr + height, panel + (p + 1) * mr, 0);
                }
            }
        }
    }

    /**
     * Packs depths {@code [p0, p0 + kc)} and columns {@code [j0, j0 + cols)} ({@code cols <= nr}) of op(B)
     * into one micro-panel at {@code dOff}: {@code B(p0 + p, j0 + j)} at {@code dOff + p * nr + j}; columns
     * past the end are zeros.
     */
    static void packB(boolean transB, double[] b, int bOff, int ldb, int p0, int kc, int j0, int cols, int nr,
                      double[] dst, int dOff) {
        if (transB) {
            // B(p, j) = b[j * ldb + p]: eight stored rows at a time, read forward, so that each step p writes
            // eight neighbouring elements (one cache line) instead of one per line.
            int j = 0;
            for (; j + TRANSPOSE_BLOCK <= cols; j += TRANSPOSE_BLOCK) {
                int src = bOff + (j0 + j) * ldb + p0;
                for (int p = 0; p < kc; p++) {
                    int to = dOff + p * nr + j;
                    for (int jj = 0; jj < TRANSPOSE_BLOCK; jj++) {
                        dst[to + jj] = b[src + jj * ldb + p];
                    }
                }
            }
            for (; j < cols; j++) {
                int src = bOff + (j0 + j) * ldb + p0;
                for (int p = 0; p < kc; p++) {
                    dst[dOff + p * nr + j] = b[src + p];
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (p0 + p) * ldb + j0, dst, dOff + p * nr, cols);
            }
        }
        if (cols < nr) {
            for (int p = 0; p < kc; p++) {
                Arrays.fill(dst, dOff + p * nr + cols, dOff + (p + 1) * nr, 0);
            }
        }
    }

    /** A thread's packing buffers, grown on demand up to the block sizes and then reused. */
    private static final class Workspace {
        private double[] a = new double[0];
        private double[] b = new double[0];
        private double[] tile = new double[0];

        double[] a(int size) {
            if (a.length < size) {
                a = new double[size];
            }
            return a;
        }

        double[] b(int size) {
            if (b.length < size) {
                b = new double[size];
            }
            return b;
        }

        double[] tile(int size) {
            if (tile.length < size) {
                tile = new double[size];
            }
            return tile;
        }
    }

    /**
     * One packed product: the arguments, the block sizes, and the state of the two outer loops, which the
     * calling thread advances and the pool's chunks read (a fork publishes it to them).
     */
    private static final class Blocked {
        private final DoubleBackend kernel;
        private final boolean parallel;
        private final boolean transA;
        private final boolean transB;
        private final int m;
        private final int n;
        private final int k;
        private final double alpha;
        private final double[] a;
        private final int aOff;
        private final int lda;
        private final double[] b;
        private final int bOff;
        private final int ldb;
        private final boolean accumulate;
        private final double[] c;
        private final int cOff;
        private final int ldc;
        private final int mr;
        private final int nr;
        private final boolean partialTiles;
        private final int kcMax;
        private final int mcMax;
        private final int ncMax;

        // The current (jc, pc) block.
        private int jc;
        private int nc;
        private int pc;
        private int kc;
        private boolean accumulateNow;
        private double[] packedB;
        private int nPanels;
        private int mWays;
        private int nWays;

        Blocked(DoubleBackend kernel, boolean parallel, boolean transA, boolean transB, int m, int n, int k,
                double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb, boolean accumulate,
                double[] c, int cOff, int ldc) {
            this.kernel = kernel;
            this.parallel = parallel && Parallel.threads() > 1;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.accumulate = accumulate;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.mr = kernel.gemmMr();
            this.nr = kernel.gemmNr();
            this.partialTiles = kernel.gemmPartialTiles();
            this.kcMax = Math.max(KC_MIN, Math.min(KC_MAX, L1_BYTES * 2 / 3 / (nr * ELEMENT_BYTES)));
            this.mcMax = Math.max(mr, L2_BYTES / 2 / (kcMax * ELEMENT_BYTES) / mr * mr);
            this.ncMax = Math.max(nr, L3_SHARE_BYTES / (kcMax * ELEMENT_BYTES) / nr * nr);
        }

        void run() {
            int kBlocks = ceilDiv(k, kcMax);
            int kcEven = ceilDiv(k, kBlocks);
            int nBlocks = ceilDiv(n, ncMax);
            int ncEven = roundUp(ceilDiv(n, nBlocks), nr);
            packedB = WORKSPACE.get().b(kcEven * ncEven);
            int mPanels = ceilDiv(m, mr);
            // Loops over block numbers: an offset stepped past an extent near the int limit would wrap around.
            for (int jb = 0; jb < nBlocks; jb++) {
                jc = jb * ncEven;
                if (jc >= n) {
                    break;
                }
                nc = Math.min(ncEven, n - jc);
                nPanels = ceilDiv(nc, nr);
                for (int kb = 0; kb < kBlocks; kb++) {
                    pc = kb * kcEven;
                    if (pc >= k) {
                        break;
                    }
                    kc = Math.min(kcEven, k - pc);
                    accumulateNow = accumulate || pc > 0;
                    int chunks = parallel ? Parallel.chunks((long) m * nc * kc, PARALLEL_WORK) : 1;
                    if (chunks == 1) {
                        packBPanels(0, nPanels);
                        mWays = 1;
                        nWays = 1;
                        computeChunk(0);
                    } else {
                        Parallel.range(nPanels, Math.max(1, PACK_GRAIN / (kc * nr)), this::packBPanels);
                        mWays = Math.min(chunks, mPanels);
                        nWays = Math.max(1, Math.min(nPanels, chunks / mWays));
                        Parallel.forEach(mWays * nWays, this::computeChunk);
                    }
                }
            }
        }

        /** Packs B micro-panels {@code [first, end)} of the current block. */
        private void packBPanels(int first, int end) {
            for (int q = first; q < end; q++) {
                int j0 = jc + q * nr;
                packB(transB, b, bOff, ldb, pc, kc, j0, Math.min(nr, n - j0), nr, packedB, q * kc * nr);
            }
        }

        /**
         * Chunk {@code chunk} of the current block: a range of row panels (split {@code mWays} ways) times a
         * range of column panels (split {@code nWays} ways); its own A blocks are packed on its own thread.
         */
        private void computeChunk(int chunk) {
            // The block's state is read into locals once and passed down, rather than re-read from this
            // shared object's fields inside the loops.
            int mPanels = ceilDiv(m, mr);
            int mi = chunk / nWays;
            int ni = chunk % nWays;
            int rowFirst = Parallel.rangeStart(mPanels, mWays, mi) * mr;
            int rowEnd = Math.min(m, Parallel.rangeStart(mPanels, mWays, mi + 1) * mr);
            int qFirst = Parallel.rangeStart(nPanels, nWays, ni);
            int qEnd = Parallel.rangeStart(nPanels, nWays, ni + 1);
            int rows = rowEnd - rowFirst;
            int mcEven = roundUp(ceilDiv(rows, ceilDiv(rows, mcMax)), mr);
            int kcNow = kc;
            Workspace ws = WORKSPACE.get();
            double[] packedA = ws.a(mcEven * kcNow);
            double[] tile = ws.tile(mr * nr);
            for (int ic = rowFirst; ic < rowEnd; ic = rowEnd - ic > mcEven ? ic + mcEven : rowEnd) {
                int mc = Math.min(mcEven, rowEnd - ic);
                packA(transA, alpha, a, aOff, lda, ic, mc, pc, kcNow, mr, packedA);
                macroKernel(kernel, packedA, packedB, c, cOff, ldc, n, jc, kcNow, mr, nr, partialTiles, accumulateNow,
                        ic, mc, qFirst, qEnd, tile);
            }
        }

        /** The two innermost loops: every tile of rows {@code [ic, ic + mc)} and column panels {@code [qFirst, qEnd)}. */
        private static void macroKernel(DoubleBackend kernel, double[] packedA, double[] packedB, double[] c, int cOff,
                                        int ldc, int n, int jc, int kc, int mr, int nr, boolean partialTiles,
                                        boolean accumulate, int ic, int mc, int qFirst, int qEnd, double[] tile) {
            for (int q = qFirst; q < qEnd; q++) {
                int j = jc + q * nr;
                int cols = Math.min(nr, n - j);
                int bPanel = q * kc * nr;
                for (int ir = 0; ir < mc; ir += mr) {
                    int rows = Math.min(mr, mc - ir);
                    int cTile = cOff + (ic + ir) * ldc + j;
                    if ((rows == mr && cols == nr) || partialTiles) {
                        kernel.gemmKernel(kc, packedA, ir * kc, packedB, bPanel, c, cTile, ldc, rows, cols, accumulate);
                    } else {
                        // The valid part goes through a full scratch tile and back, with the same arithmetic.
                        if (accumulate) {
                            for (int i = 0; i < rows; i++) {
                                System.arraycopy(c, cTile + i * ldc, tile, i * nr, cols);
                            }
                        }
                        kernel.gemmKernel(kc, packedA, ir * kc, packedB, bPanel, tile, 0, nr, mr, nr, accumulate);
                        for (int i = 0; i < rows; i++) {
                            System.arraycopy(tile, i * nr, c, cTile + i * ldc, cols);
                        }
                    }
                }
            }
        }
    }

    /** {@code ceil(x / y)} for {@code x >= 0}, without the overflow of {@code (x + y - 1) / y} near the int limit. */
    static int ceilDiv(int x, int y) {
        return x == 0 ? 0 : (x - 1) / y + 1;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
