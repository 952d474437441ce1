package dev.autograd.benchmarks;

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

    private GemmCase gemm;

    /** Parses the shape, picks the backend and fills the operands with N(0, 1) values. */
    @Setup
    public void setUp() {
        boolean float64 = dtype.equals("float64");
        gemm = new GemmCase(shape, float64, GemmBackends.of(backend, float64));
    }

    /**
     * One product (or batch of products) with {@code alpha = 1, beta = 0}, as the engine's forward.
     *
     * @return C, so that the work cannot be optimised away
     */
    @Benchmark
    public Object gemm() {
        return gemm.run();
    }
}
