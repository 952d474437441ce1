package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Weight initialisation: fans, gains, bounds, spread, determinism. */
class InitTest {

    private static double std(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean) / v.length;
        }
        return Math.sqrt(var);
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void fansOfLinearAndConvolutionWeights() {
        assertEquals(new Init.Fans(20, 30), Init.Fans.of(Tensor.zeros(30, 20)));
        assertEquals(new Init.Fans(3 * 5 * 5, 8 * 5 * 5), Init.Fans.of(Tensor.zeros(8, 3, 5, 5)));
        assertThrows(IllegalArgumentException.class, () -> Init.Fans.of(Tensor.zeros(4)));
    }

    @Test
    void gainsMatchPyTorch() {
        assertEquals(1, Init.gain(Init.Nonlinearity.LINEAR, 0));
        assertEquals(1, Init.gain(Init.Nonlinearity.SIGMOID, 0));
        assertEquals(5.0 / 3, Init.gain(Init.Nonlinearity.TANH, 0));
        assertEquals(Math.sqrt(2), Init.gain(Init.Nonlinearity.RELU, 0));
        assertEquals(Math.sqrt(2 / 1.0001), Init.gain(Init.Nonlinearity.LEAKY_RELU, 0.01), 1e-15);
        assertEquals(0.75, Init.gain(Init.Nonlinearity.SELU, 0));
    }

    @Test
    void xavierUniformStaysWithinItsBoundAndFillsIt() {
        Tensor w = Tensor.zeros(200, 300);
        assertSame(w, Init.xavierUniform(w, 1, new Random(1)));
        double a = Math.sqrt(6.0 / 500);
        double[] v = w.toDoubleArray();
        assertTrue(maxAbs(v) <= a);
        assertTrue(maxAbs(v) > 0.99 * a);
        assertEquals(a / Math.sqrt(3), std(v), 0.01 * a);
    }

    @Test
    void xavierNormalHasItsStandardDeviation() {
        Tensor w = Init.xavierNormal(Tensor.zeros(200, 300), 2, new Random(2));
        assertEquals(2 * Math.sqrt(2.0 / 500), std(w.toDoubleArray()), 0.01);
    }

    @Test
    void kaimingUniformAndNormalUseTheChosenFan() {
        Tensor w = Init.kaimingUniform(Tensor.zeros(100, 400), new Random(3));
        double bound = Math.sqrt(6.0 / 400);
        assertTrue(maxAbs(w.toDoubleArray()) <= bound);
        assertEquals(bound / Math.sqrt(3), std(w.toDoubleArray()), 0.02 * bound);

        Tensor out = Init.kaimingNormal(Tensor.zeros(400, 100), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU,
                new Random(4));
        assertEquals(Math.sqrt(2.0 / 400), std(out.toDoubleArray()), 0.002);
        Tensor tanh = Init.kaimingUniform(Tensor.zeros(50, 60), 0, Init.FanMode.FAN_IN, Init.Nonlinearity.TANH,
                new Random(5));
        assertTrue(maxAbs(tanh.toDoubleArray()) <= Math.sqrt(3) * (5.0 / 3) / Math.sqrt(60));
    }

    @Test
    void sameSeedSameValues() {
        Tensor a = Init.kaimingNormal(Tensor.zeros(5, 7), new Random(42));
        Tensor b = Init.kaimingNormal(Tensor.zeros(5, 7), new Random(42));
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
    }

    @Test
    void worksOnParametersThatRequireGradAndKeepsThem() {
        Linear layer = new Linear(3, 2, new Random(6));
        Tensor w = layer.weight();
        Init.zeros(w);
        Init.constant(layer.bias(), 0.25);
        assertArrayEquals(new double[6], w.toDoubleArray());
        assertArrayEquals(new double[] {0.25, 0.25}, layer.bias().toDoubleArray());
        assertTrue(w.requiresGrad());
        assertSame(w, layer.weight());
    }

    @Test
    void linearAndConvDefaultsFollowPyTorch() {
        Linear l = new Linear(16, 200, new Random(7));
        assertTrue(maxAbs(l.weight().toDoubleArray()) <= 0.25);
        assertTrue(maxAbs(l.bias().toDoubleArray()) <= 0.25);
        Conv2d c = new Conv2d(2, 50, 3, new Random(8));
        assertTrue(maxAbs(c.weight().toDoubleArray()) <= 1 / Math.sqrt(18));
    }

    @Test
    void rejectsInvalidArguments() {
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(2), 1, 0, new Random(1))), "uniform");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(2), 0, -1, new Random(1))), "normal");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Init.kaimingUniform(Tensor.zeros(3, 0), new Random(1))), "Init");
    }
}
