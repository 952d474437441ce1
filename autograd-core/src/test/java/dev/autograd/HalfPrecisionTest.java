package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tensors of FLOAT16 and BFLOAT16 outside autocast, with PyTorch's CPU semantics: the result of an op on half
 * tensors is half, computed in float32 from the widened operands and rounded once. Each primitive op is
 * checked bit for bit against the same op in FLOAT32 on the same (half-valued) inputs, rounded to the half
 * dtype; composites (mean = sum / n, ...) round once per primitive, so they are checked within one unit in
 * the last place of the half format.
 */
class HalfPrecisionTest {

    /** A FLOAT32 tensor whose values are exactly representable in {@code dtype}. */
    private static Tensor halfValued(DType dtype, long seed, int... shape) {
        return Tensor.randn(new Random(seed), DType.FLOAT32, shape).to(dtype).to(DType.FLOAT32);
    }

    /** The op on half tensors equals the op in float32 rounded once, bit for bit. */
    private static void assertRoundedOnce(DType dtype, Function<Tensor[], Tensor> op, Tensor... float32Inputs) {
        Tensor[] half = new Tensor[float32Inputs.length];
        for (int i = 0; i < half.length; i++) {
            half[i] = float32Inputs[i].to(dtype);
        }
        Tensor actual = op.apply(half);
        Tensor expected = op.apply(float32Inputs);
        assertEquals(dtype, actual.dtype());
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.to(dtype).toFloatArray(), actual.toFloatArray(), 0f);
    }

    /**
     * Within {@code ulps} units in the last place of the half format, measured at the largest magnitude of
     * {@code expected} (rounding errors of sums scale with their terms, not with a result that cancels).
     */
    private static void assertClose(DType dtype, Tensor expected, Tensor actual, double ulps) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(dtype, actual.dtype());
        double largest = 0;
        for (float v : e) {
            largest = Math.max(largest, Math.abs(v));
        }
        double tolerance = ulps * (dtype == DType.FLOAT16 ? 0x1p-10 : 0x1p-7) * largest;
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance, "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void primitiveOpsRoundTheirFloat32ResultOnce(DType dtype) {
        Tensor a = halfValued(dtype, 1, 3, 4);
        Tensor b = halfValued(dtype, 2, 4);
        Tensor m = halfValued(dtype, 3, 4, 5);
        Tensor positive = a.abs().add(0.5).to(dtype).to(DType.FLOAT32);
        // Unary functions.
        for (Function<Tensor, Tensor> f : List.<Function<Tensor, Tensor>>of(Tensor::exp, Tensor::tanh, Tensor::sigmoid,
                Tensor::relu, Tensor::sin, Tensor::neg, t -> t.pow(3), t -> t.abs().sqrt(), t -> t.leakyRelu(0.1))) {
            assertRoundedOnce(dtype, in -> f.apply(in[0]), a);
        }
        assertRoundedOnce(dtype, in -> in[0].log(), positive);
        // Binary ops with broadcasting, and with a number (rounded to float32, as PyTorch's scalar).
        assertRoundedOnce(dtype, in -> in[0].add(in[1]), a, b);
        assertRoundedOnce(dtype, in -> in[0].mul(in[1]), a, b);
        assertRoundedOnce(dtype, in -> in[0].div(in[1]), a, b.abs().add(0.25).to(dtype).to(DType.FLOAT32));
        assertRoundedOnce(dtype, in -> in[0].maximum(in[1]), a, b);
        assertRoundedOnce(dtype, in -> in[0].mul(0.1), a);
        assertRoundedOnce(dtype, in -> in[0].sub(1e-3), a);
        // Reductions (sum and max are primitives: one rounding).
        assertRoundedOnce(dtype, in -> in[0].sum(1, false), a);
        assertRoundedOnce(dtype, in -> in[0].sum(), a);
        assertRoundedOnce(dtype, in -> in[0].max(0, true), a);
        // Matrix product and convolution accumulate in float32 and round the result once.
        assertRoundedOnce(dtype, in -> in[0].matmul(in[1]), a, m);
        assertRoundedOnce(dtype, in -> in[0].matmul(in[1]), halfValued(dtype, 4, 2, 3, 4), m);
        assertRoundedOnce(dtype, in -> in[0].linear(in[1], in[2]), a, halfValued(dtype, 5, 6, 4), halfValued(dtype, 6, 6));
        assertRoundedOnce(dtype, in -> in[0].conv2d(in[1], in[2], 1, 1), halfValued(dtype, 7, 2, 3, 5, 5),
                halfValued(dtype, 8, 4, 3, 3, 3), halfValued(dtype, 9, 4));
        assertRoundedOnce(dtype, in -> in[0].maxPool2d(2), halfValued(dtype, 10, 1, 2, 4, 4));
        // Softmax is a primitive.
        assertRoundedOnce(dtype, in -> in[0].softmax(1), a);
        assertRoundedOnce(dtype, in -> in[0].logSoftmax(0), a);
        // Indexing and movement copy values: exact.
        assertRoundedOnce(dtype, in -> in[0].indexSelect(1, new int[] {3, 0, 3}), a);
        assertRoundedOnce(dtype, in -> in[0].slice(1, 1, 4, 2), a);
        assertRoundedOnce(dtype, in -> in[0].select(0, 2), a);
        assertRoundedOnce(dtype, in -> in[0].permute(1, 0), a);
        assertRoundedOnce(dtype, in -> in[0].t(), a);
        assertRoundedOnce(dtype, in -> in[0].reshape(2, 6), a);
        assertRoundedOnce(dtype, in -> in[0].expand(2, 3, 4), a);
        assertRoundedOnce(dtype, in -> in[0].pad(new int[] {1, 2}, -1.5), a);
        assertRoundedOnce(dtype, in -> Tensor.concat(List.of(in[0], in[1].reshape(1, 4)), 0), a, b);
        assertRoundedOnce(dtype, in -> Tensor.stack(List.of(in[0], in[0]), 1), a);
        assertRoundedOnce(dtype, in -> Tensor.where(in[0].gt(Tensor.scalar(0, in[0].dtype())), in[0], in[1]), a, b);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void compositesRoundOncePerPrimitive(DType dtype) {
        Tensor a = halfValued(dtype, 11, 3, 8);
        Tensor h = a.to(dtype);
        assertClose(dtype, a.mean(1, false), h.mean(1, false), 2);
        assertClose(dtype, a.logSumExp(1, false), h.logSumExp(1, false), 4);
        assertClose(dtype, a.var(1, false, 1), h.var(1, false, 1), 4);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void backwardOnHalfTensorsGivesHalfGradients(DType dtype) {
        Tensor x32 = halfValued(dtype, 12, 3, 4);
        Tensor w32 = halfValued(dtype, 13, 4, 2);
        Tensor x = x32.to(dtype).requiresGrad(true);
        Tensor w = w32.to(dtype).requiresGrad(true);
        x.matmul(w).tanh().mul(x.sum(1, true)).sum().backward();
        Tensor xr = x32.detach().requiresGrad(true);
        Tensor wr = w32.detach().requiresGrad(true);
        xr.matmul(wr).tanh().mul(xr.sum(1, true)).sum().backward();
        assertEquals(dtype, x.grad().dtype());
        assertEquals(dtype, w.grad().dtype());
        // Each backward primitive rounds its result: a few units of the half format.
        assertClose(dtype, xr.grad(), x.grad(), 8);
        assertClose(dtype, wr.grad(), w.grad(), 8);
    }

    /** The backward kernels of convolution, pooling, softmax, indexing and movement on half tensors. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void backwardThroughConvPoolSoftmaxAndIndexing(DType dtype) {
        Tensor[] float32 = {halfValued(dtype, 20, 2, 2, 6, 6), halfValued(dtype, 21, 3, 2, 3, 3), halfValued(dtype, 22, 3)};
        Function<Tensor[], Tensor> net = in -> {
            Tensor h = in[0].conv2d(in[1], in[2], 1, 1).maxPool2d(2).reshape(2, 27).softmax(1);
            Tensor picked = h.indexSelect(1, new int[] {0, 5, 5, 26}).pad(new int[] {1, 1}, 0.5);
            Tensor joined = Tensor.concat(List.of(picked, h.slice(1, 0, 6, 1)), 1);
            return joined.mul(Tensor.arange(0, 12, 1).to(in[0].dtype())).sum();
        };
        Tensor[] half = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            float32[i].requiresGrad(true);
            half[i] = float32[i].detach().to(dtype).requiresGrad(true);
        }
        net.apply(float32).backward();
        net.apply(half).backward();
        for (int i = 0; i < 3; i++) {
            assertEquals(dtype, half[i].grad().dtype());
            assertClose(dtype, float32[i].grad(), half[i].grad(), 4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void toIsDifferentiableBothWays(DType dtype) {
        Tensor x = Tensor.of(new double[] {1.0, 1e-3, 70000, -2.5}, 4).requiresGrad(true);
        Tensor h = x.to(dtype);
        assertEquals(dtype, h.dtype());
        assertEquals("to", h.gradFn().name());
        // The gradient comes back in the source dtype, rounded through the half dtype on its way.
        h.mul(Tensor.of(new double[] {3, 1e-3, 1, 1 / 3.0}, 4).to(dtype)).sum().backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        double third = dtype == DType.FLOAT16 ? 0.333251953125 : 0.333984375;
        double milli = dtype == DType.FLOAT16 ? 0.0010004043579101562 : 0.00099945068359375;
        assertArrayEquals(new double[] {3, milli, 1, third}, x.grad().toDoubleArray(), 0);
        // Half to FLOAT32 and back: the gradient is converted to the half dtype.
        Tensor back = Tensor.ones(dtype, 2).requiresGrad(true);
        back.to(DType.FLOAT32).mul(0.1).sum().backward();
        assertEquals(dtype, back.grad().dtype());
        assertEquals(Tensor.scalar(0.1f, dtype).item(), back.grad().get(0), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void factoriesAccessAndPrinting(DType dtype) {
        assertEquals(2, dtype.bytes());
        assertEquals(dtype, Tensor.zeros(dtype, 2, 3).dtype());
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(dtype, 2).toFloatArray());
        assertEquals(dtype == DType.FLOAT16 ? 0.0999755859375 : 0.10009765625, Tensor.full(dtype, 0.1, 3).get(1), 0);
        assertEquals(dtype == DType.FLOAT16 ? 3.140625 : 3.140625, Tensor.scalar(Math.PI, dtype).item(), 0);
        assertEquals(dtype, Tensor.zerosLike(Tensor.ones(dtype, 2)).dtype());
        assertEquals(dtype, Tensor.onesLike(Tensor.ones(dtype, 2)).dtype());
        // Seeded draws: the float64 stream rounded once, so every dtype sees the same stream.
        Tensor r = Tensor.randn(new Random(5), dtype, 100);
        assertArrayEquals(Tensor.randn(new Random(5), 100).to(dtype).toFloatArray(), r.toFloatArray(), 0f);
        assertArrayEquals(Tensor.randn(new Random(5), dtype, 100).toFloatArray(), r.toFloatArray(), 0f);
        assertEquals(dtype, Tensor.rand(new Random(6), dtype, 4).dtype());
        // Uniform draws stay below 1 although one in 512 (bfloat16) would round up to it.
        float[] u = Tensor.rand(new Random(7), dtype, 20000).toFloatArray();
        float below = dtype == DType.FLOAT16 ? 1 - 0x1p-11f : 1 - 0x1p-8f;
        int atTop = 0;
        for (float v : u) {
            assertTrue(v >= 0 && v < 1, "rand gave " + v);
            atTop += v == below ? 1 : 0;
        }
        assertTrue(atTop > 0, "some draws land on the largest value below 1");
        Tensor arange = Tensor.arange(0, 5, 1).to(dtype);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, arange.toDoubleArray(), 0);
        assertEquals(dtype, arange.dtype());
        assertTrue(Tensor.ones(dtype, 2).toString().contains("dtype=" + dtype), Tensor.ones(dtype, 2).toString());
        // argmax counts positions in FLOAT32: binary16 holds integers exactly only up to 2048.
        Tensor big = Tensor.arange(0, 3000, 1).to(dtype);
        assertEquals(DType.FLOAT32, big.argmax().dtype());
        if (dtype == DType.FLOAT16) {
            assertEquals(2999, big.argmax().item(), 0, "2999 rounds to 3000, the largest value; 2999 is not a binary16");
        }
        assertSame(big, big.to(dtype));
    }

    @Test
    void float16OverflowsAndUnderflowsLikeIeeeHalf() {
        Tensor h = Tensor.of(new float[] {60000, 1e-8f, 3e-8f, 1e-5f}, 4).to(DType.FLOAT16);
        assertArrayEquals(new float[] {60000, 0, 0x1p-24f * 1 /* 3e-8 rounds to the smallest subnormal */,
                (float) (Math.rint(1e-5 * 0x1p24) * 0x1p-24)}, h.toFloatArray(), 0f);
        assertEquals(Double.POSITIVE_INFINITY, h.mul(2).get(0), 0, "60000 * 2 overflows binary16");
        Tensor b = Tensor.of(new float[] {60000, 1e-8f}, 2).to(DType.BFLOAT16);
        assertEquals(119808, b.mul(2).get(0), 0, "bfloat16 has float32's range (60000 is stored as 59904)");
        assertTrue(b.get(1) > 0, "1e-8 is normal in bfloat16");
    }

    @Test
    void mixingDtypesOutsideAutocastIsRefused() {
        Tensor h = Tensor.ones(DType.FLOAT16, 2);
        Tensor f = Tensor.ones(DType.FLOAT32, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.add(f));
        assertTrue(e.getMessage().contains("add: dtypes differ: FLOAT16 [2] and FLOAT32 [2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.matmul(f));
        assertTrue(e.getMessage().startsWith("matmul: dtypes differ: FLOAT16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(DType.BFLOAT16, 2).mul(Tensor.ones(DType.FLOAT16, 2)));
        assertTrue(e.getMessage().contains("BFLOAT16 [2] and FLOAT16 [2]"), e.getMessage());
    }

    @Test
    void gradCheckRefusesHalfInputsSayingWhy() {
        for (DType dtype : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            Tensor x = Tensor.ones(dtype, 3).requiresGrad(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GradCheck.assertGradientsMatch(in -> in[0].sum(), x));
            assertTrue(e.getMessage().contains("input 0 (shape [3]) is " + dtype)
                    && e.getMessage().contains("16-bit format are meaningless")
                    && e.getMessage().contains("input.to(DType.FLOAT64)"), e.getMessage());
        }
    }
}
