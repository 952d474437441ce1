package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Autograd#autocast(DType)}: where each listed op runs (its output dtype, and the dtypes of the inputs
 * its recorded node received, read from the graph), what the backward of a half-precision op sees, and the
 * scope's rules (off outside, nested scopes restore, other threads unaffected).
 */
class AutocastTest {

    private static Tensor f32(long seed, int... shape) {
        return Tensor.randn(new Random(seed), DType.FLOAT32, shape).requiresGrad(true);
    }

    /** The dtypes of the tensors the node of {@code y} received: the outputs of the nodes its inputs come from. */
    private static List<DType> inputDtypes(Tensor y) {
        List<DType> dtypes = new ArrayList<>();
        for (GradFn next : y.gradFn().nextFunctions()) {
            dtypes.add(next == null ? null : next.output().dtype());
        }
        return dtypes;
    }

    /** The names of the nodes the inputs of {@code y}'s node come from. */
    private static List<String> inputNodes(Tensor y) {
        List<String> names = new ArrayList<>();
        for (GradFn next : y.gradFn().nextFunctions()) {
            names.add(next == null ? null : next.name());
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void lowerPrecisionOpsRunOnHalfInputsAndReturnFloat32(DType dtype) {
        Tensor x = f32(1, 4, 3);
        Tensor w = f32(2, 3, 5);
        Tensor lw = f32(3, 5, 3);
        Tensor lb = f32(4, 5);
        Tensor cx = f32(5, 1, 2, 4, 4);
        Tensor cw = f32(6, 3, 2, 3, 3);
        Tensor cb = f32(7, 3);
        Tensor mm;
        Tensor lin;
        Tensor conv;
        try (var amp = Autograd.autocast(dtype)) {
            mm = x.matmul(w);
            lin = x.linear(lw, lb);
            conv = cx.conv2d(cw, cb, 1, 1);
        }
        for (Tensor y : List.of(mm, lin, conv)) {
            assertEquals(DType.FLOAT32, y.dtype(), y.gradFn().name());
            for (DType in : inputDtypes(y)) {
                assertEquals(dtype, in, y.gradFn().name());
            }
            for (String node : inputNodes(y)) {
                assertEquals("to", node, y.gradFn().name());
            }
        }
        assertEquals("matmul", mm.gradFn().name());
        assertEquals("linear", lin.gradFn().name());
        assertEquals("conv2d", conv.gradFn().name());
        // The values: the half-rounded inputs multiplied with float32 accumulation, not rounded afterwards.
        Tensor expected = x.to(dtype).to(DType.FLOAT32).matmul(w.to(dtype).to(DType.FLOAT32));
        assertArrayEquals(expected.toFloatArray(), mm.toFloatArray(), 0f);
        Tensor expectedConv = cx.to(dtype).to(DType.FLOAT32).conv2d(cw.to(dtype).to(DType.FLOAT32),
                cb.to(dtype).to(DType.FLOAT32), 1, 1);
        assertArrayEquals(expectedConv.toFloatArray(), conv.toFloatArray(), 0f);
        // Half inputs: the other format is cast, the autocast one used as it is; the result is FLOAT32 either way.
        DType other = dtype == DType.FLOAT16 ? DType.BFLOAT16 : DType.FLOAT16;
        try (var amp = Autograd.autocast(dtype)) {
            Tensor fromHalf = x.to(other).matmul(w.to(dtype));
            assertEquals(DType.FLOAT32, fromHalf.dtype());
            assertEquals(List.of(dtype, dtype), inputDtypes(fromHalf));
            assertEquals(List.of("to", "to"), inputNodes(fromHalf));
        }
        // The graph as text shows the casts.
        String text = GraphExport.toText(mm);
        assertTrue(text.contains("matmul  [4, 5] FLOAT32") && text.contains("to  [4, 3] " + dtype)
                && text.contains("to  [3, 5] " + dtype), text);
        // Master weights stay FLOAT32, and so do their gradients.
        mm.sum().add(lin.sum()).add(conv.sum()).backward();
        for (Tensor p : List.of(x, w, lw, lb, cx, cw, cb)) {
            assertEquals(DType.FLOAT32, p.dtype());
            assertEquals(DType.FLOAT32, p.grad().dtype());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void float32ListOpsCastHalfInputsUp(DType dtype) {
        Tensor h = Tensor.rand(new Random(8), DType.FLOAT32, 3, 4).add(0.5).to(dtype).requiresGrad(true);
        List<Function<Tensor, Tensor>> ops = List.of(t -> t.softmax(1), t -> t.logSoftmax(1), t -> t.logSumExp(1, false),
                Tensor::exp, Tensor::expm1, Tensor::log, Tensor::log1p, t -> t.pow(2), Tensor::softplus, Tensor::sum,
                t -> t.sum(0, false), Tensor::mean, t -> t.var(1, false, 1), t -> t.std(0, true, 0), Tensor::reciprocal);
        for (Function<Tensor, Tensor> op : ops) {
            Tensor y;
            try (var amp = Autograd.autocast(dtype)) {
                y = op.apply(h);
            }
            assertEquals(DType.FLOAT32, y.dtype(), y.gradFn().name());
            // The op's first recorded input is FLOAT32 (a composite's first node reads the cast input or a
            // FLOAT32 intermediate); the cast itself is in the graph.
            assertTrue(GraphExport.toText(y).contains("to  [3, 4] FLOAT32"), GraphExport.toText(y));
            Tensor outside = op.apply(h);
            assertEquals(dtype, outside.dtype(), "outside autocast " + outside.gradFn().name() + " stays half");
        }
        Tensor s;
        try (var amp = Autograd.autocast(dtype)) {
            s = h.softmax(1);
        }
        assertEquals(List.of(DType.FLOAT32), inputDtypes(s));
        assertEquals(List.of("to"), inputNodes(s));
        // The gradient of the half leaf comes back half.
        s.mul(Tensor.arange(0, 4, 1).to(DType.FLOAT32)).sum().backward();
        assertEquals(dtype, h.grad().dtype());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void mixedOperandsPromoteToFloat32InsideAndAreRefusedOutside(DType dtype) {
        Tensor f = f32(9, 2, 3);
        Tensor h = Tensor.ones(dtype, 3).requiresGrad(true);
        Tensor sum;
        Tensor where;
        Tensor joined;
        try (var amp = Autograd.autocast(dtype)) {
            sum = f.add(h);
            assertEquals(DType.FLOAT32, h.mul(f).dtype());
            assertEquals(DType.FLOAT32, f.div(h).dtype());
            assertEquals(DType.FLOAT32, f.maximum(h).dtype());
            assertEquals(DType.FLOAT32, f.gt(h).dtype());
            where = Tensor.where(f.gt(0), f, h);
            joined = Tensor.concat(List.of(f, h.reshape(1, 3)), 0);
            assertEquals(DType.FLOAT32, Tensor.stack(List.of(f.select(0, 0), h), 0).dtype());
            // Two half formats meet in FLOAT32 too.
            assertEquals(DType.FLOAT32, Tensor.ones(DType.FLOAT16, 2).add(Tensor.ones(DType.BFLOAT16, 2)).dtype());
            // FLOAT64 is left alone: mixing it is still refused.
            assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).add(Tensor.ones(dtype, 2)));
        }
        assertEquals(DType.FLOAT32, sum.dtype());
        assertEquals(List.of(DType.FLOAT32, DType.FLOAT32), inputDtypes(sum));
        assertEquals(DType.FLOAT32, where.dtype());
        assertEquals(DType.FLOAT32, joined.dtype());
        sum.sum().backward();
        assertEquals(dtype, h.grad().dtype());
        assertArrayEquals(new float[] {2, 2, 2}, h.grad().toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.add(h));
        assertTrue(e.getMessage().startsWith("add: dtypes differ: FLOAT32 [2, 3] and " + dtype + " [3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(f, h.reshape(1, 3)), 0));
    }

    @Test
    void float64IsLeftAlone() {
        Tensor x = Tensor.randn(new Random(10), 3, 3).requiresGrad(true);
        Tensor h = Tensor.ones(DType.FLOAT16, 3, 3);
        try (var amp = Autograd.autocast(DType.FLOAT16)) {
            Tensor y = x.matmul(x);
            assertEquals(DType.FLOAT64, y.dtype());
            assertTrue(inputNodes(y).stream().noneMatch("to"::equals), inputNodes(y).toString());
            assertEquals(List.of(DType.FLOAT64, DType.FLOAT64), inputDtypes(y));
            assertEquals(DType.FLOAT64, x.softmax(1).dtype());
            assertThrows(IllegalArgumentException.class, () -> x.matmul(h), "FLOAT64 with half is not promoted");
        }
    }

    @Test
    void nothingChangesOutsideTheScopeAndNestedScopesRestore() {
        Tensor x = f32(11, 2, 3);
        Tensor w = f32(12, 3, 2);
        assertNull(Autograd.autocastDtype());
        Tensor before = x.matmul(w);
        assertEquals(List.of(DType.FLOAT32, DType.FLOAT32), inputDtypes(before));
        try (var outer = Autograd.autocast(DType.FLOAT16)) {
            assertEquals(DType.FLOAT16, Autograd.autocastDtype());
            try (var inner = Autograd.autocast(DType.BFLOAT16)) {
                assertEquals(List.of(DType.BFLOAT16, DType.BFLOAT16), inputDtypes(x.matmul(w)));
                inner.close();
                inner.close(); // closing twice restores once
                assertEquals(DType.FLOAT16, Autograd.autocastDtype());
            }
            assertEquals(List.of(DType.FLOAT16, DType.FLOAT16), inputDtypes(x.matmul(w)));
        }
        assertNull(Autograd.autocastDtype());
        Tensor after = x.matmul(w);
        assertEquals(List.of(DType.FLOAT32, DType.FLOAT32), inputDtypes(after));
        assertArrayEquals(before.toFloatArray(), after.toFloatArray(), 0f);
    }

    @Test
    void anotherThreadIsUnaffected() throws Exception {
        Tensor x = f32(13, 2, 3);
        Tensor w = f32(14, 3, 2);
        AtomicReference<List<DType>> seen = new AtomicReference<>();
        AtomicReference<DType> mode = new AtomicReference<>(DType.FLOAT64);
        try (var amp = Autograd.autocast(DType.FLOAT16)) {
            Thread t = new Thread(() -> {
                mode.set(Autograd.autocastDtype());
                seen.set(inputDtypes(x.matmul(w)));
            });
            t.start();
            t.join();
            assertEquals(List.of(DType.FLOAT16, DType.FLOAT16), inputDtypes(x.matmul(w)));
        }
        assertNull(mode.get());
        assertEquals(List.of(DType.FLOAT32, DType.FLOAT32), seen.get());
    }

    @Test
    void onlyHalfDtypesAreAccepted() {
        for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.autocast(d));
            assertTrue(e.getMessage().startsWith("autocast: the dtype must be FLOAT16 or BFLOAT16, got " + d),
                    e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> Autograd.autocast(null));
        assertNull(Autograd.autocastDtype());
    }

    /**
     * A small gradient reaching a FLOAT16 matmul is rounded to binary16 before the products: below 2^-25 it is
     * exactly 0, and so is every weight gradient. BFLOAT16 has float32's range and keeps it; scaling the loss
     * (what GradScaler does) keeps it in FLOAT16 too.
     */
    @Test
    void smallGradientsUnderflowInFloat16ButNotInBFloat16() {
        Tensor x = Tensor.randn(new Random(15), DType.FLOAT32, 8, 4);
        Tensor w = f32(16, 4, 3);
        double tiny = 1e-8;
        Tensor g16 = weightGradient(DType.FLOAT16, x, w, tiny);
        assertEquals(DType.FLOAT32, g16.dtype());
        for (float v : g16.toFloatArray()) {
            assertEquals(0f, v, "1e-8 rounds to 0 in binary16, so the weight gradient is exactly 0");
        }
        Tensor reference = x.transpose(0, 1).matmul(Tensor.full(DType.FLOAT32, tiny, 8, 3));
        Tensor gb = weightGradient(DType.BFLOAT16, x, w, tiny);
        float[] r = reference.toFloatArray();
        float[] b = gb.toFloatArray();
        for (int i = 0; i < r.length; i++) {
            assertNotEquals(0f, b[i]);
            assertEquals(r[i], b[i], Math.abs(r[i]) * 0x1p-6, "bfloat16 keeps the gradient to its precision");
        }
        // Scaled by 2^16 the gradient is 6.6e-4, a binary16 normal: the products survive.
        Tensor scaled = weightGradient(DType.FLOAT16, x, w, tiny * 65536);
        for (float v : scaled.toFloatArray()) {
            assertNotEquals(0f, v);
        }
    }

    private static Tensor weightGradient(DType dtype, Tensor x, Tensor w, double upstream) {
        w.zeroGrad();
        Tensor y;
        try (var amp = Autograd.autocast(dtype)) {
            y = x.matmul(w);
        }
        y.mul(upstream).sum().backward();
        return w.grad();
    }

    /**
     * The backward reproduces PyTorch's half op: g rounded to the half dtype, dW = x16^T g16 accumulated in
     * float32 and rounded to the half dtype, then converted to FLOAT32 for the master weight.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void backwardRoundsLikeThePyTorchHalfOp(DType dtype) {
        Tensor x = f32(17, 5, 4);
        Tensor w = f32(18, 4, 3);
        Tensor upstream = Tensor.randn(new Random(19), DType.FLOAT32, 5, 3).mul(0.37);
        Tensor y;
        try (var amp = Autograd.autocast(dtype)) {
            y = x.matmul(w);
        }
        y.backward(upstream);
        Tensor g16 = upstream.to(dtype).to(DType.FLOAT32);
        Tensor x16 = x.detach().to(dtype).to(DType.FLOAT32);
        Tensor w16 = w.detach().to(dtype).to(DType.FLOAT32);
        Tensor dw = x16.transpose(0, 1).matmul(g16).to(dtype).to(DType.FLOAT32);
        Tensor dx = g16.matmul(w16.transpose(0, 1)).to(dtype).to(DType.FLOAT32);
        assertArrayEquals(dw.toFloatArray(), w.grad().toFloatArray(), 0f);
        assertArrayEquals(dx.toFloatArray(), x.grad().toFloatArray(), 0f);
    }

    @Test
    void backwardInsideTheScopeDoesNotAutocastAgain() {
        Tensor x = f32(20, 3, 3);
        try (var amp = Autograd.autocast(DType.BFLOAT16)) {
            Tensor y = x.matmul(x).tanh().sum();
            // With createGraph the backward rules run as ops; they keep the forward's dtypes.
            Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, true).get(0);
            assertEquals(DType.FLOAT32, g.dtype());
            assertEquals(DType.BFLOAT16, Autograd.autocastDtype());
            y.backward();
            assertEquals(DType.FLOAT32, x.grad().dtype());
        }
    }

    @Test
    void checkpointRecomputesUnderTheForwardsAutocast() {
        Tensor x = f32(21, 2, 3);
        Tensor w = f32(22, 3, 3);
        Tensor y;
        try (var amp = Autograd.autocast(DType.FLOAT16)) {
            y = Autograd.checkpoint(in -> in[0].matmul(in[1]).tanh(), x, w);
        }
        y.mul(1e-8).sum().backward();
        // Recomputed outside the scope without the forward's dtype, the gradient would not underflow.
        for (float v : w.grad().toFloatArray()) {
            assertEquals(0f, v);
        }
    }
}
