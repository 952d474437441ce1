package dev.autograd.benchmarks;

import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.DoubleGemm;
import dev.autograd.internal.kernel.FloatBackend;
import dev.autograd.internal.kernel.FloatGemm;
import java.util.Random;

/**
 * One benchmarked GEMM: a shape named {@code OPS_MxNxK} or {@code OPS_MxNxK_bB} (the transposes of A and B,
 * {@code N} or {@code T}; the sizes of {@code C (m x n) = op(A) (m x k) op(B)}; an optional batch count),
 * its operands filled with N(0, 1) values in one dtype, and the backend whose micro-kernel runs. Shared by
 * the JMH benchmark and the table printer so that both time exactly the same call.
 */
final class GemmCase {

    /** The engine's shapes: squares, an MLP (784-256-128-10, batch 128) forward and backward, conv2d. */
    static final String[] SHAPES = {"NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024",
        "NT_128x256x784", "TN_256x784x128", "NN_128x784x256",
        "NT_128x128x256", "TN_128x256x128", "NN_128x256x128",
        "NT_128x10x128", "TN_10x128x128", "NN_128x128x10",
        "NN_32x196x144_b32"};

    final String shape;
    final boolean transA;
    final boolean transB;
    final int m;
    final int n;
    final int k;
    final int batches;
    private final int lda;
    private final int ldb;
    private final int[] aOffsets;
    private final int[] bOffsets;
    private final int[] cOffsets;
    private final DoubleBackend doubles;
    private final FloatBackend floats;
    private double[] a64;
    private double[] b64;
    private double[] c64;
    private float[] a32;
    private float[] b32;
    private float[] c32;

    /**
     * @param shape   the shape's name, as above
     * @param float64 float64 operands (else float32)
     * @param backend the backend, a {@code DoubleBackend} or {@code FloatBackend} matching the dtype
     */
    GemmCase(String shape, boolean float64, Object backend) {
        this.shape = shape;
        String[] parts = shape.split("_");
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        String[] sizes = parts[1].split("x");
        m = Integer.parseInt(sizes[0]);
        n = Integer.parseInt(sizes[1]);
        k = Integer.parseInt(sizes[2]);
        batches = parts.length > 2 ? Integer.parseInt(parts[2].substring(1)) : 1;
        lda = transA ? m : k;
        ldb = transB ? k : n;
        aOffsets = new int[batches];
        bOffsets = new int[batches];
        cOffsets = new int[batches];
        for (int t = 0; t < batches; t++) {
            aOffsets[t] = t * m * k;
            bOffsets[t] = t * k * n;
            cOffsets[t] = t * m * n;
        }
        Random random = new Random(42);
        if (float64) {
            doubles = (DoubleBackend) backend;
            floats = null;
            a64 = gaussians(random, batches * m * k);
            b64 = gaussians(random, batches * k * n);
            c64 = new double[batches * m * n];
        } else {
            doubles = null;
            floats = (FloatBackend) backend;
            a32 = toFloats(gaussians(random, batches * m * k));
            b32 = toFloats(gaussians(random, batches * k * n));
            c32 = new float[batches * m * n];
        }
    }

    /** @return the floating-point operations of one {@link #run()}: {@code 2 m n k} per batch entry */
    double flops() {
        return 2.0 * m * n * k * batches;
    }

    /**
     * One product (or batch), {@code alpha = 1, beta = 0}, on the kernel thread pool, as the engine calls it.
     *
     * @return C
     */
    Object run() {
        if (doubles != null) {
            if (batches == 1) {
                DoubleGemm.gemm(doubles, true, transA, transB, m, n, k, 1, a64, 0, lda, b64, 0, ldb, 0, c64, 0, n);
            } else {
                DoubleGemm.gemmBatched(doubles, true, transA, transB, m, n, k, 1, a64, aOffsets, lda, b64, bOffsets,
                        ldb, 0, c64, cOffsets, n);
            }
            return c64;
        }
        if (batches == 1) {
            FloatGemm.gemm(floats, true, transA, transB, m, n, k, 1, a32, 0, lda, b32, 0, ldb, 0, c32, 0, n);
        } else {
            FloatGemm.gemmBatched(floats, true, transA, transB, m, n, k, 1, a32, aOffsets, lda, b32, bOffsets, ldb,
                    0, c32, cOffsets, n);
        }
        return c32;
    }

    private static double[] gaussians(Random random, int size) {
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
