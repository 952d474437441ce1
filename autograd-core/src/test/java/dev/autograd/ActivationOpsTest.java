package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertFinite;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backward;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed forward values and gradients of the issue-3 unary element-wise ops: sin, cos, log1p,
 * expm1, reciprocal, erf, gelu (exact and tanh), softplus, leakyRelu, clamp, and the documented
 * behaviour at kinks (leakyRelu at 0 takes the slope, relu/abs at 0 give 0, clamp passes the gradient at
 * its bounds).
 */
class ActivationOpsTest {

    private static final double TOL = 1e-12;
    private static final double SQRT3 = Math.sqrt(3);

    @Test
    void sinForwardAndGradient() {
        // sin [0, pi/2, pi/6] = [0, 1, 1/2]; d sin = cos = [1, 0, sqrt(3)/2]
        Tensor x = leaf(new double[] {0, Math.PI / 2, Math.PI / 6}, 3);
        Tensor y = x.sin();
        assertClose(y, shape(3), TOL, 0, 1, 0.5);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, 1, 0, SQRT3 / 2);
    }

    @Test
    void cosForwardAndGradient() {
        // cos [0, pi/2, pi/3] = [1, 0, 1/2]; d cos = -sin = [0, -1, -sqrt(3)/2]; upstream [1, 2, 3] -> [0, -2, -3 sqrt(3)/2]
        Tensor x = leaf(new double[] {0, Math.PI / 2, Math.PI / 3}, 3);
        Tensor y = x.cos();
        assertClose(y, shape(3), TOL, 1, 0, 0.5);
        backward(y, 1, 2, 3);
        assertGradClose(x, shape(3), TOL, 0, -2, -3 * SQRT3 / 2);
    }

    @Test
    void log1pForwardGradientAndTinyInput() {
        // log1p [0, 1, e - 1] = [0, ln 2, 1]; d = 1 / (1 + x) = [1, 1/2, 1/e]
        Tensor x = leaf(new double[] {0, 1, Math.E - 1}, 3);
        Tensor y = x.log1p();
        assertClose(y, shape(3), TOL, 0, Math.log(2), 1);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, 1, 0.5, 1 / Math.E);
        // ln(1 + 1e-20) = 1e-20 to double precision, where log(1 + x) would give 0
        assertEquals(1e-20, Tensor.of(new double[] {1e-20}, 1).log1p().get(0), 1e-35);
    }

    @Test
    void expm1ForwardGradientAndTinyInput() {
        // expm1 [0, ln 2, 1] = [0, 1, e - 1]; d = e^x = [1, 2, e]
        Tensor x = leaf(new double[] {0, Math.log(2), 1}, 3);
        Tensor y = x.expm1();
        assertClose(y, shape(3), TOL, 0, 1, Math.E - 1);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, 1, 2, Math.E);
        // e^(1e-20) - 1 = 1e-20, where exp(x) - 1 would give 0
        assertEquals(1e-20, Tensor.of(new double[] {1e-20}, 1).expm1().get(0), 1e-35);
    }

    @Test
    void reciprocalForwardAndGradient() {
        // 1 / [2, -4, 0.5] = [0.5, -0.25, 2]; d = -1 / x^2 = [-1/4, -1/16, -4]
        Tensor x = leaf(new double[] {2, -4, 0.5}, 3);
        Tensor y = x.reciprocal();
        assertClose(y, shape(3), TOL, 0.5, -0.25, 2);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, -0.25, -0.0625, -4);
    }

    @Test
    void erfForwardAndGradient() {
        // erf(0) = 0, erf(1) = 0.8427007929497149, erf(-1) = -erf(1), erf(0.5) = 0.5204998778130465 (tables);
        // d erf = 2/sqrt(pi) e^(-x^2): at 0 1.1283791670955126, at +-1 1.1283791670955126 / e, at 0.5 * e^(-1/4)
        double c = 2 / Math.sqrt(Math.PI);
        Tensor x = leaf(new double[] {0, 1, -1, 0.5}, 4);
        Tensor y = x.erf();
        assertClose(y, shape(4), 1e-15, 0, 0.8427007929497149, -0.8427007929497149, 0.5204998778130465);
        backwardOnes(y);
        assertGradClose(x, shape(4), TOL, c, c / Math.E, c / Math.E, c * Math.exp(-0.25));
        // saturates without NaN far out
        assertClose(Tensor.of(new double[] {-10, 10}, 2).erf(), shape(2), 0, -1, 1);
    }

    @Test
    void geluExactForwardAndGradient() {
        // gelu(x) = x Phi(x): Phi(1) = 0.8413447460685429, Phi(-1) = 0.15865525393145707, phi(1) = 0.24197072451914337
        // gelu [0, 1, -1] = [0, 0.8413447460685429, -0.15865525393145707]
        // d = Phi(x) + x phi(x): at 0 1/2; at 1 0.84134... + 0.24197... = 1.0833154705876863; at -1 0.15865... - 0.24197... = -0.0833154705876863
        Tensor x = leaf(new double[] {0, 1, -1}, 3);
        Tensor y = x.gelu();
        assertClose(y, shape(3), 1e-14, 0, 0.8413447460685429, -0.15865525393145707);
        backwardOnes(y);
        assertGradClose(x, shape(3), 1e-14, 0.5, 1.0833154705876863, -0.0833154705876863);
        // gelu(false) is the exact form too
        assertClose(Tensor.of(new double[] {1}, 1).gelu(false), shape(1), 1e-14, 0.8413447460685429);
    }

    @Test
    void geluTanhApproximationForwardAndGradient() {
        // u = sqrt(2/pi) (x + 0.044715 x^3), gelu_tanh = x/2 (1 + tanh u)
        // x = 1: u = 0.7978845608028654 * 1.044715 = 0.8335625..., tanh u = 0.6823840..., gelu = 0.8411919906082768
        // d = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
        double c = Math.sqrt(2 / Math.PI);
        double[] xs = {0, 1, -2};
        double[] value = new double[3];
        double[] slope = new double[3];
        for (int i = 0; i < 3; i++) {
            double u = c * (xs[i] + 0.044715 * xs[i] * xs[i] * xs[i]);
            double t = Math.tanh(u);
            value[i] = xs[i] / 2 * (1 + t);
            slope[i] = (1 + t) / 2 + xs[i] / 2 * (1 - t * t) * c * (1 + 3 * 0.044715 * xs[i] * xs[i]);
        }
        assertEquals(0.8411919906082768, value[1], 1e-15);
        Tensor x = leaf(xs, 3);
        Tensor y = x.gelu(true);
        assertClose(y, shape(3), TOL, value);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, slope);
        // the approximation stays within 1e-3 of the exact value here
        assertClose(y.detach(), shape(3), 1e-3, Tensor.of(xs, 3).gelu().toDoubleArray());
    }

    @Test
    void softplusForwardGradientAndStability() {
        // softplus(0) = ln 2; softplus(1000) = 1000 (e^1000 would overflow); softplus(-1000) = ln(1 + e^-1000) = 0
        // d = sigmoid(x) = [1/2, 1, 0]
        Tensor x = leaf(new double[] {0, 1000, -1000, 2}, 4);
        Tensor y = x.softplus();
        assertClose(y, shape(4), TOL, Math.log(2), 1000, 0, Math.log(1 + Math.exp(2)));
        assertFinite(y);
        backwardOnes(y);
        assertGradClose(x, shape(4), TOL, 0.5, 1, 0, 1 / (1 + Math.exp(-2)));
    }

    @Test
    void leakyReluForwardGradientAndSlopeAtZero() {
        // leakyRelu_0.1 [-2, 0, 3] = [-0.2, 0, 3]; d = [0.1, 0.1 (the slope at 0, as PyTorch), 1]
        Tensor x = leaf(new double[] {-2, 0, 3}, 3);
        Tensor y = x.leakyRelu(0.1);
        assertClose(y, shape(3), TOL, -0.2, 0, 3);
        backwardOnes(y);
        assertGradClose(x, shape(3), TOL, 0.1, 0.1, 1);
    }

    @Test
    void reluAndAbsHaveZeroGradientAtZero() {
        // relu'(0) = 0 and abs'(0) = sign(0) = 0 (PyTorch's choice); elsewhere 0/1 and -1/1
        Tensor x = leaf(new double[] {-1, 0, 2}, 3);
        x.relu().sum().backward();
        assertGradClose(x, shape(3), 0, 0, 0, 1);
        Tensor z = leaf(new double[] {-1, 0, 2}, 3);
        z.abs().sum().backward();
        assertGradClose(z, shape(3), 0, -1, 0, 1);
    }

    @Test
    void clampForwardAndGradientIncludingTheBounds() {
        // clamp_[-1, 2] [-3, -1, 0.5, 2, 5] = [-1, -1, 0.5, 2, 2]
        // d = 1 where -1 <= x <= 2, bounds included: [0, 1, 1, 1, 0]
        Tensor x = leaf(new double[] {-3, -1, 0.5, 2, 5}, 5);
        Tensor y = x.clamp(-1, 2);
        assertClose(y, shape(5), 0, -1, -1, 0.5, 2, 2);
        backwardOnes(y);
        assertGradClose(x, shape(5), 0, 0, 1, 1, 1, 0);
    }

    @Test
    void clampWithEqualBounds() {
        // min == max is allowed: every value becomes 1; only x == 1 sits inside [1, 1] and passes the gradient
        Tensor x = leaf(new double[] {0, 1, 2}, 3);
        Tensor y = x.clamp(1, 1);
        assertClose(y, shape(3), 0, 1, 1, 1);
        backwardOnes(y);
        assertGradClose(x, shape(3), 0, 0, 1, 0);
    }

    @Test
    void unaryOpsInFloat32() {
        // the same ops on FLOAT32 keep the dtype and agree to float precision
        Tensor x = Tensor.of(new float[] {0.5f, -1f}, 2).requiresGrad(true);
        Tensor y = x.sin().add(x.erf()).add(x.softplus()).add(x.gelu());
        assertEquals(DType.FLOAT32, y.dtype());
        double[] expected = new double[2];
        for (int i = 0; i < 2; i++) {
            double v = i == 0 ? 0.5 : -1;
            expected[i] = Tensor.of(new double[] {v}, 1).sin().add(Tensor.of(new double[] {v}, 1).erf())
                    .add(Tensor.of(new double[] {v}, 1).softplus()).add(Tensor.of(new double[] {v}, 1).gelu()).item();
        }
        assertClose(y, shape(2), 1e-6, expected);
        backwardOnes(y);
        assertEquals(DType.FLOAT32, x.grad().dtype());
    }
}
