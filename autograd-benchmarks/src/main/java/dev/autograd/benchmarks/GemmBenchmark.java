package dev.autograd.benchmarks;

import dev.autograd.internal.kernel.Backends;
import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.DoubleGemm;
import dev.autograd.internal.kernel.FloatBackend;
import dev.autograd.internal.kernel.FloatGemm;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.PortableFloatBackend;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM ({@code DoubleGemm}, {@code FloatGemm}) on the engine's shapes, both dtypes, both backends, on the
 * kernel thread pool as the engine calls it. A shape reads {@code OPS_MxNxK} or {@code OPS_MxNxK_bB}: the
 * transposes of A and B ({@code N} or {@code T}), the sizes of {@code C (m x n) = op(A) (m x k) op(B)} and
 * an optional batch count; {@code 2 m n k B / time} is the GFLOP/s figure.
 *
 * <ul>
 *   <li>{@code NN_256x256x256} ... {@code NN_1024x1024x1024}: square products, compared with numpy;</li>
 *   <li>{@code NT_128x256x784}, {@code TN_256x784x128}, {@code NN_128x784x256}: an MLP's first layer
 *       (batch 128, 784 inputs, 256 units): {@code x W^T}, then {@code dW = g^T x} and {@code dx = g W};</li>
 *   <li>{@code NT_128x128x256}, {@code TN_128x256x128}, {@code NN_128x256x128}: its 256 to 128 layer;</li>
 *   <li>{@code NT_128x10x128}, {@code TN_10x128x128}, {@code NN_128x128x10}: its 10-way output layer;</li>
 *   <li>{@code NN_32x196x144_b32}: conv2d's batched product, 32 images of 32 channels x 144 (4 x 3 x 3 x
 *       4) patch values x 196 (14 x 14) positions.</li>
 * </ul>
 *
 * <p>Sample-time mode, so that JMH reports the median ({@code p0.50}) next to the mean. Each parameter set
 * runs in a fresh JVM with the Vector API module added; add {@code -jvmArgsAppend -XX:UseAVX=2} to measure
 * 256-bit code on an AVX-512 machine.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class GemmBenchmark {

    /** Transposes, sizes and batch count; see the class comment. */
    @Param({"NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024",
            "NT_128x256x784", "TN_256x784x128", "NN_128x784x256",
            "NT_128x128x256", "TN_128x256x128", "NN_128x256x128",
            "NT_128x10x128", "TN_10x128x128", "NN_128x128x10",
            "NN_32x196x144_b32"})
    public String shape;

    /** {@code float32} or {@code float64}. */
    @Param({"float32", "float64"})
    public String dtype;

    /** {@code simd} (Vector API) or {@code portable} (plain Java) micro-kernel. */
    @Param({"simd", "portable"})
    public String backend;

    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private int lda;
    private int ldb;
    private int[] aOffsets;
    private int[] bOffsets;
    private int[] cOffsets;
    private DoubleBackend doubles;
    private FloatBackend floats;
    private double[] a64;
    private double[] b64;
    private double[] c64;
    private float[] a32;
    private float[] b32;
    private float[] c32;

    /** Parses the shape, picks the backend and fills the operands with N(0, 1) values. */
    @Setup
    public void setUp() {
        String[] parts = shape.split("_");
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        String[] sizes = parts[1].split("x");
        m = Integer.parseInt(sizes[0]);
        n = Integer.parseInt(sizes[1]);
        k = Integer.parseInt(sizes[2]);
        int batches = parts.length > 2 ? Integer.parseInt(parts[2].substring(1)) : 1;
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
        boolean simd = switch (backend) {
            case "simd" -> true;
            case "portable" -> false;
            default -> throw new IllegalArgumentException("backend " + backend);
        };
        Object[] simdBackends = simd ? Backends.simdBackends().orElseThrow(
                () -> new IllegalStateException("the Vector API is not readable: add jdk.incubator.vector")) : null;
        Random random = new Random(42);
        int aSize = batches * m * k;
        int bSize = batches * k * n;
        int cSize = batches * m * n;
        if (dtype.equals("float64")) {
            doubles = simd ? (DoubleBackend) simdBackends[0] : PortableDoubleBackend.INSTANCE;
            a64 = gaussians(random, aSize);
            b64 = gaussians(random, bSize);
            c64 = new double[cSize];
        } else {
            floats = simd ? (FloatBackend) simdBackends[1] : PortableFloatBackend.INSTANCE;
            a32 = toFloats(gaussians(random, aSize));
            b32 = toFloats(gaussians(random, bSize));
            c32 = new float[cSize];
        }
    }

    /**
     * One product (or batch of products) with {@code alpha = 1, beta = 0}, as the engine's forward.
     *
     * @return C, so that the work cannot be optimised away
     */
    @Benchmark
    public Object gemm() {
        if (doubles != null) {
            if (aOffsets.length == 1) {
                DoubleGemm.gemm(doubles, true, transA, transB, m, n, k, 1, a64, 0, lda, b64, 0, ldb, 0, c64, 0, n);
            } else {
                DoubleGemm.gemmBatched(doubles, true, transA, transB, m, n, k, 1, a64, aOffsets, lda, b64, bOffsets,
                        ldb, 0, c64, cOffsets, n);
            }
            return c64;
        }
        if (aOffsets.length == 1) {
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
