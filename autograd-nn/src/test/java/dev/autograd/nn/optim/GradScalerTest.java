package dev.autograd.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.GradClip;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Module;
import dev.autograd.nn.SafeTensors;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dynamic loss scaling: the state machine traced by hand, skipped steps, the call order, checkpoints. */
class GradScalerTest {

    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;

    @TempDir
    Path dir;

    /**
     * One iteration on the loss {@code sum(p * c)}, whose gradient is {@code c}: the scaled backward gives
     * {@code scale * c}, so an infinite or NaN element of {@code c} makes the step overflow.
     *
     * @return whether the optimizer stepped
     */
    private static boolean iteration(GradScaler scaler, Optimizer opt, double... c) {
        Tensor p = opt.parameters().get(0);
        opt.zeroGrad();
        scaler.scale(p.mul(Tensor.of(c, c.length).to(p.dtype())).sum()).backward();
        boolean stepped = scaler.step(opt);
        scaler.update();
        return stepped;
    }

    private static Tensor param(DType dtype, int n) {
        return Tensor.zeros(dtype, n).requiresGrad(true);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void theScaleFollowsAHandTracedSequenceOfFiniteAndOverflowingSteps(DType dtype) {
        GradScaler scaler = new GradScaler(8, 2, 0.5, 3, true);
        Optimizer opt = new SGD(List.of(param(dtype, 2)), 0.1);
        double[] fin = {0.5, -2};
        // step kind, expected stepped, expected scale and growth counter after update()
        Object[][] trace = {
                {fin, true, 8.0, 1}, {fin, true, 8.0, 2},
                {fin, true, 16.0, 0},                          // the third finite step in a row grows the scale
                {fin, true, 16.0, 1}, {fin, true, 16.0, 2},
                {new double[] {1, INF}, false, 8.0, 0},        // overflow: back off, reset the counter
                {fin, true, 8.0, 1},
                {new double[] {NAN, 1}, false, 4.0, 0},        // NaN counts as overflow
                {new double[] {-INF, 1}, false, 2.0, 0},       // so does -inf, twice in a row
                {fin, true, 2.0, 1}, {fin, true, 2.0, 2}, {fin, true, 4.0, 0},
                {fin, true, 4.0, 1}, {fin, true, 4.0, 2}, {fin, true, 8.0, 0},
        };
        for (int i = 0; i < trace.length; i++) {
            boolean stepped = iteration(scaler, opt, (double[]) trace[i][0]);
            assertEquals(trace[i][1], stepped, "step " + i);
            assertEquals((double) trace[i][2], scaler.scale(), "scale after step " + i);
            assertEquals((int) trace[i][3], scaler.growthTracker(), "growth counter after step " + i);
        }
        assertEquals(12, opt.stepCount(0), "the optimizer took the 12 finite steps only");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void unscaleRestoresTheTrueGradientsExactly(DType dtype) {
        GradScaler scaler = new GradScaler();
        assertEquals(65536, scaler.scale());
        Tensor p = param(dtype, 3);
        Optimizer opt = new SGD(List.of(p), 1);
        Tensor scaled = scaler.scale(p.mul(Tensor.of(new double[] {0.5, -3, 1e-3}, 3).to(dtype)).sum());
        assertEquals(dtype, scaled.dtype());
        scaled.backward();
        assertArrayEquals(new double[] {32768, -196608, (dtype == DType.FLOAT32 ? (float) 1e-3 : 1e-3) * 65536},
                p.grad().toDoubleArray(), 0);
        scaler.unscale(opt);
        double small = dtype == DType.FLOAT32 ? (float) 1e-3 : 1e-3;
        assertArrayEquals(new double[] {0.5, -3, small}, p.grad().toDoubleArray(), 0);
        assertTrue(scaler.step(opt));
        assertArrayEquals(new double[] {-0.5, 3, -small}, p.toDoubleArray(), 0, "SGD with lr 1 stepped on the true gradient");
    }

    @Test
    void theScaleAndItsReciprocalAreRoundedToFloat32AsInPyTorch() {
        GradScaler scaler = new GradScaler(0.1, 2, 0.5, 1, true);
        assertEquals((float) 0.1, scaler.scale());
        Tensor p = param(DType.FLOAT64, 1);
        Optimizer opt = new SGD(List.of(p), 1);
        scaler.scale(p.mul(3.0).sum()).backward();
        assertEquals(3.0 * (float) 0.1, p.grad().item());
        scaler.unscale(opt);
        assertEquals(3.0 * (float) 0.1 * (float) (1 / (double) (float) 0.1), p.grad().item());
        scaler.step(opt);
        scaler.update();
        assertEquals((float) (2 * (double) (float) 0.1), scaler.scale());
    }

    @Test
    void underAutocastFloat16TheScaleKeepsASmallGradientFromUnderflowing() {
        // loss = 1e-8 * sum(x @ w): the matmul's backward rounds its incoming gradient 1e-8 to float16, whose
        // smallest subnormal is 2^-24 (6e-8): it becomes 0. Scaled by 65536 it is 6.6e-4, well inside float16.
        Tensor x = Tensor.full(DType.FLOAT32, 1, 2, 3);
        for (boolean scaled : new boolean[] {false, true}) {
            Tensor w = Tensor.zeros(DType.FLOAT32, 3, 1).requiresGrad(true);
            GradScaler scaler = new GradScaler(65536, 2, 0.5, 2000, scaled);
            Tensor loss;
            try (var amp = Autograd.autocast(DType.FLOAT16)) {
                loss = x.matmul(w).sum().mul(1e-8);
            }
            assertEquals(DType.FLOAT32, loss.dtype());
            scaler.scale(loss).backward();
            Optimizer opt = new SGD(List.of(w), 1);
            scaler.unscale(opt);
            assertEquals(DType.FLOAT32, w.grad().dtype());
            double[] g = w.grad().toDoubleArray();
            if (scaled) {
                // 2 rows of x, each 1: dL/dw = 2 * 1e-8, with float16's rounding of 65536e-8 (relative error < 2^-11)
                for (double v : g) {
                    assertEquals(2e-8, v, 2e-8 * 0x1p-10);
                }
                assertTrue(scaler.step(opt));
            } else {
                assertArrayEquals(new double[] {0, 0, 0}, g, 0, "underflowed to zero without scaling");
            }
        }
    }

    @Test
    void halfLossesAreScaledInFloat32AndFloat16GradientsAreRefused() {
        Tensor p16 = Tensor.ones(DType.FLOAT16, 2).requiresGrad(true);
        Tensor loss = new GradScaler().scale(p16.sum());
        assertEquals(DType.FLOAT32, loss.dtype(), "65536 is beyond float16's largest finite value 65504");
        assertEquals(131072, loss.item());
        // The gradient of a FLOAT16 leaf is FLOAT16: the default scale would overflow it, so take a small one.
        GradScaler scaler = new GradScaler(1024, 2, 0.5, 2000, true);
        p16.zeroGrad();
        scaler.scale(p16.sum()).backward();
        assertEquals(DType.FLOAT16, p16.grad().dtype());
        Optimizer sgd = new SGD(List.of(param(DType.FLOAT32, 1), p16), 0.1);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.unscale(sgd)),
                "GradScaler.unscale", "parameter 1 has a FLOAT16 gradient", "FLOAT32");
        assertEquals(1024, p16.grad().toDoubleArray()[0], "nothing was divided");

        Tensor b16 = Tensor.ones(DType.BFLOAT16, 2).requiresGrad(true);
        scaler.scale(b16.sum()).backward();
        scaler.unscale(new SGD(List.of(b16), 0.1));   // bfloat16 has float32's range: allowed, as in PyTorch
        assertArrayEquals(new double[] {1, 1}, b16.grad().toDoubleArray(), 0);
    }

    @Test
    void skippedStepLeavesParametersAndOptimizerStateBitIdentical() {
        Module model = MLP.builder(2, 4, 1).build(new Random(3));
        Optimizer adam = new Adam(model.parameters(), 0.01);
        GradScaler scaler = new GradScaler();
        Tensor x = Tensor.randn(new Random(1), 8, 2);
        Tensor y = Tensor.randn(new Random(2), 8, 1);
        for (int i = 0; i < 2; i++) {
            adam.zeroGrad();
            scaler.scale(Losses.mse(model.forward(x), y)).backward();
            assertTrue(scaler.step(adam));
            scaler.update();
        }
        List<double[]> params = model.parameters().stream().map(Tensor::toDoubleArray).toList();
        Map<String, Tensor> state = adam.state();

        adam.zeroGrad();
        Tensor bad = x.mul(Tensor.of(new double[] {1, INF}, 1, 2));    // one input feature overflows
        scaler.scale(Losses.mse(model.forward(bad), y)).backward();
        assertFalse(scaler.step(adam));
        scaler.update();

        for (int i = 0; i < params.size(); i++) {
            assertTrue(java.util.Arrays.equals(params.get(i), model.parameters().get(i).toDoubleArray()), "parameter " + i);
            assertEquals(2, adam.stepCount(i), "Adam's step count of parameter " + i);
        }
        Map<String, Tensor> after = adam.state();
        assertEquals(state.keySet(), after.keySet());
        for (String key : state.keySet()) {
            assertTrue(java.util.Arrays.equals(state.get(key).toDoubleArray(), after.get(key).toDoubleArray()), key);
        }
        assertEquals(32768, scaler.scale());
    }

    @Test
    void unscaleThenClipSeesTheTrueGradientsAndStepsWithoutUnscalingAgain() {
        // loss = a . [3, 4] + b . [12]: the true gradient norm is 13.
        Tensor a = param(DType.FLOAT64, 2);
        Tensor b = param(DType.FLOAT64, 1);
        List<Tensor> ps = List.of(a, b);
        Optimizer opt = new SGD(ps, 1);
        GradScaler scaler = new GradScaler();
        Tensor loss = a.mul(Tensor.of(new double[] {3, 4}, 2)).sum().add(b.mul(12.0).sum());
        scaler.scale(loss).backward();
        assertEquals(13 * 65536, GradClip.totalNorm(ps), 1e-6, "scaled gradients before unscale");
        scaler.unscale(opt);
        assertEquals(13, GradClip.clipGradNorm(ps, 6.5), 1e-12);
        assertTrue(scaler.step(opt));
        scaler.update();
        double f = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {-3 * f, -4 * f}, a.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-12 * f}, b.toDoubleArray(), 1e-15);
    }

    @Test
    void theCallOrderIsEnforcedPerOptimizerAndIteration() {
        Optimizer opt = new SGD(List.of(param(DType.FLOAT64, 1)), 0.1);
        GradScaler scaler = new GradScaler();
        assertMessage(assertThrows(IllegalStateException.class, scaler::update), "GradScaler.update", "no inf checks");
        scaler.scale(opt.parameters().get(0).sum()).backward();
        scaler.unscale(opt);
        assertMessage(assertThrows(IllegalStateException.class, () -> scaler.unscale(opt)),
                "GradScaler.unscale", "unscale() has already been called on this optimizer since the last update()");
        assertEquals(1, opt.parameters().get(0).grad().item(), "the refused second unscale did not divide again");
        assertTrue(scaler.step(opt));
        assertMessage(assertThrows(IllegalStateException.class, () -> scaler.unscale(opt)), "after step()");
        assertMessage(assertThrows(IllegalStateException.class, () -> scaler.step(opt)), "GradScaler.step", "already");
        scaler.update();
        assertMessage(assertThrows(IllegalStateException.class, scaler::update), "no inf checks");
        scaler.unscale(opt);  // a new iteration may unscale again
    }

    @Test
    void anOverflowInOneOptimizerBacksOffForAll() {
        Tensor p = param(DType.FLOAT32, 1);
        Tensor q = param(DType.FLOAT32, 1);
        Optimizer first = new SGD(List.of(p), 0.1);
        Optimizer second = new Adam(List.of(q), 0.1);
        GradScaler scaler = new GradScaler(4, 2, 0.25, 5, true);
        scaler.scale(p.mul(1.0f).add(q.mul(Float.POSITIVE_INFINITY)).sum()).backward();
        assertTrue(scaler.step(first));
        assertFalse(scaler.step(second));
        scaler.update();
        assertEquals(1, scaler.scale());
        assertEquals(1, first.stepCount(0));
        assertEquals(0, second.stepCount(0));
    }

    @Test
    void gradientsSharingStorageAreDividedOnce() {
        // add sends one upstream gradient to both operands; reshape shares storage: the leaves' gradients alias.
        Tensor a = Tensor.zeros(2, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(4).requiresGrad(true);
        GradScaler scaler = new GradScaler();
        scaler.scale(a.reshape(4).add(b).mul(Tensor.of(new double[] {1, 2, 3, 4}, 4)).sum()).backward();
        scaler.unscale(new SGD(List.of(a, b), 0.1));
        assertArrayEquals(new double[] {1, 2, 3, 4}, a.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 2, 3, 4}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Tensor used = param(DType.FLOAT64, 1);
        Tensor unused = param(DType.FLOAT64, 1);
        Optimizer opt = new SGD(List.of(used, unused), 1);
        GradScaler scaler = new GradScaler();
        scaler.scale(used.mul(2.0).sum()).backward();
        assertTrue(scaler.step(opt));
        assertEquals(-2, used.item());
        assertEquals(0, unused.item());
        assertEquals(0, opt.stepCount(1));
    }

    @Test
    void growthStopsWhereFloat32Overflows() {
        GradScaler scaler = new GradScaler(0x1p127, 2, 0.5, 1, true);
        Optimizer opt = new SGD(List.of(param(DType.FLOAT64, 1)), 0.1);
        assertTrue(iteration(scaler, opt, 1e-300));
        assertEquals(0x1p127, scaler.scale(), "2^128 is infinite in float32: the scale is kept");
        assertEquals(0, scaler.growthTracker());
    }

    @Test
    void theLargestGrowthIntervalCountsToItsEndWithoutOverflow() {
        GradScaler scaler = new GradScaler(2, 2, 0.5, Integer.MAX_VALUE, true);
        Map<String, Tensor> state = new HashMap<>(scaler.state());
        state.put(GradScaler.GROWTH_TRACKER_KEY, Tensor.scalar(Integer.MAX_VALUE - 2));
        scaler.loadState(state);
        Optimizer opt = new SGD(List.of(param(DType.FLOAT64, 1)), 0.1);
        iteration(scaler, opt, 1);
        assertEquals(Integer.MAX_VALUE - 1, scaler.growthTracker());
        assertEquals(2, scaler.scale());
        iteration(scaler, opt, 1);
        assertEquals(0, scaler.growthTracker());
        assertEquals(4, scaler.scale());
    }

    @Test
    void disabledScalerPassesEverythingThrough() {
        GradScaler scaler = new GradScaler(1024, 2, 0.5, 1, false);
        assertFalse(scaler.isEnabled());
        assertEquals(1, scaler.scale());
        Tensor p = param(DType.FLOAT32, 2);
        Optimizer opt = new SGD(List.of(p), 1);
        Tensor loss = p.mul(Tensor.of(new float[] {2, 3}, 2)).sum();
        assertSame(loss, scaler.scale(loss));
        loss.backward();
        scaler.unscale(opt);
        scaler.unscale(opt);  // nothing to refuse: a disabled scaler keeps no per-iteration record
        assertArrayEquals(new double[] {2, 3}, p.grad().toDoubleArray(), 0);
        assertTrue(scaler.step(opt));
        scaler.update();
        scaler.update();
        assertArrayEquals(new double[] {-2, -3}, p.toDoubleArray(), 0);
        assertEquals(1, scaler.scale());
        assertTrue(scaler.state().isEmpty());
        scaler.loadState(new GradScaler().state());  // ignored
        assertEquals(1, scaler.scale());
    }

    @Test
    void stateRoundTripsThroughASafetensorsFileAndResumesIdentically() {
        GradScaler a = new GradScaler(64, 4, 0.25, 3, true);
        Optimizer opt = new SGD(List.of(param(DType.FLOAT64, 1)), 0.1);
        iteration(a, opt, 1);
        iteration(a, opt, 1);
        iteration(a, opt, INF);
        iteration(a, opt, 1);
        assertEquals(16, a.scale());
        assertEquals(1, a.growthTracker());
        Map<String, Tensor> state = a.state();
        assertEquals(List.of("scale", "growth_factor", "backoff_factor", "growth_interval", "growth_tracker"),
                List.copyOf(state.keySet()));
        Path file = dir.resolve("scaler.safetensors");
        SafeTensors.write(state, file);

        GradScaler b = new GradScaler();
        b.loadState(SafeTensors.read(file).tensors());
        assertEquals(16, b.scale());
        assertEquals(1, b.growthTracker());
        assertEquals(4, b.growthFactor());
        assertEquals(0.25, b.backoffFactor());
        assertEquals(3, b.growthInterval());
        Optimizer optB = new SGD(List.of(param(DType.FLOAT64, 1)), 0.1);
        for (double c : new double[] {1, 1, 1, NAN, 1}) {
            iteration(a, opt, c);
            iteration(b, optB, c);
            assertEquals(a.scale(), b.scale());
            assertEquals(a.growthTracker(), b.growthTracker());
        }
        assertEquals(16, b.scale());
        iteration(a, opt, 1);
        assertEquals(16, a.scale());
        assertEquals(16, state.get("scale").item(), "a state is a snapshot");
    }

    @Test
    void loadStateReportsEveryProblemAndChangesNothing() {
        GradScaler scaler = new GradScaler();
        Map<String, Tensor> state = new HashMap<>(new GradScaler(8, 2, 0.5, 10, true).state());
        state.put("scale", Tensor.scalar(INF));
        state.put("backoff_factor", Tensor.scalar(1));
        state.put("growth_tracker", Tensor.scalar(10));
        state.put("momentum", Tensor.scalar(1));
        String msg = assertThrows(IllegalArgumentException.class, () -> scaler.loadState(state)).getMessage();
        assertMessage(msg, "GradScaler.loadState", "unexpected key 'momentum'", "scale must be positive and finite",
                "backoffFactor must be in (0, 1), got 1.0", "'growth_tracker' must be a whole number in [0, growth_interval = 10), got 10.0");
        assertEquals(65536, scaler.scale());
        assertEquals(2000, scaler.growthInterval());

        Map<String, Tensor> missing = new HashMap<>(scaler.state());
        missing.remove("growth_tracker");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.loadState(missing)),
                "'growth_tracker' is missing");
        for (double interval : new double[] {0, 2.5, -1, 1L << 31, NAN}) {
            Map<String, Tensor> s = new HashMap<>(scaler.state());
            s.put("growth_interval", Tensor.scalar(interval));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.loadState(s)),
                    "'growth_interval' must be a whole number in [1, 2147483647], got " + interval);
        }
        Map<String, Tensor> vector = new HashMap<>(scaler.state());
        vector.put("scale", Tensor.ones(2));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.loadState(vector)),
                "'scale' is missing or not a single value");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.loadState(Map.of())),
                "GradScaler.loadState", "empty", "disabled");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.loadState(null)),
                "GradScaler.loadState", "null");
    }

    @Test
    void constructorRefusesBadSettingsByName() {
        for (double s : new double[] {0, -1, NAN, INF, -INF, 1e39, 1e-50}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new GradScaler(s, 2, 0.5, 10, true)),
                    "GradScaler", "initScale", String.valueOf(s));
        }
        for (double g : new double[] {1, 0.5, 0, -2, NAN, INF}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new GradScaler(8, g, 0.5, 10, true)),
                    "GradScaler", "growthFactor", String.valueOf(g));
        }
        for (double b : new double[] {0, 1, -0.5, 1.5, NAN, INF}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new GradScaler(8, 2, b, 10, true)),
                    "GradScaler", "backoffFactor", String.valueOf(b));
        }
        for (int i : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new GradScaler(8, 2, 0.5, i, true)),
                    "GradScaler", "growthInterval", String.valueOf(i));
        }
        GradScaler edges = new GradScaler(Float.MAX_VALUE, Math.nextUp(1.0), Double.MIN_VALUE, Integer.MAX_VALUE, true);
        assertEquals(Float.MAX_VALUE, edges.scale());
        assertEquals(Integer.MAX_VALUE, edges.growthInterval());
        assertEquals(1, new GradScaler(1, 2, Math.nextDown(1.0), 1, true).growthInterval());
        assertEquals(Float.MIN_VALUE, new GradScaler(Float.MIN_VALUE, 2, 0.5, 1, true).scale());
    }

    @Test
    void nullArgumentsAreRefusedByName() {
        GradScaler scaler = new GradScaler();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.scale(null)), "GradScaler.scale", "null");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.unscale(null)), "GradScaler.unscale", "null");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> scaler.step(null)), "GradScaler.step", "null");
        GradScaler disabled = new GradScaler(8, 2, 0.5, 1, false);
        assertThrows(IllegalArgumentException.class, () -> disabled.scale(null));
        assertThrows(IllegalArgumentException.class, () -> disabled.step(null));
    }

    private static void assertMessage(Throwable e, String... parts) {
        assertMessage(e.getMessage(), parts);
    }

    private static void assertMessage(String msg, String... parts) {
        for (String part : parts) {
            assertTrue(msg.contains(part), "expected '" + part + "' in: " + msg);
        }
    }
}
