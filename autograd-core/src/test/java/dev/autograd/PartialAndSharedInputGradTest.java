package dev.autograd;

import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The multi-input ops of issue 3 when only some inputs require grad (conv weights only, the usual training
 * case; the exponent of pow only; one side of where/maximum/concat/scatterAdd), and when one tensor is
 * passed as several inputs (its gradient is the sum of both paths). GradCheck checks the inputs that
 * require grad and passes the others as constants.
 */
class PartialAndSharedInputGradTest {

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Random(seed), shape);
    }

    @Test
    void conv2dWithOnlyWeightsOrOnlyInputOrOnlyBiasRequiringGrad() {
        Tensor x = randn(1, 2, 2, 5, 5);
        Tensor w = randn(2, 3, 2, 3, 3);
        Tensor b = randn(3, 3);
        int[] s = {2, 1};
        int[] p = {1, 0};
        int[] d = {1, 1};
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], in[2], s, p, d, 1), x, w.detach().requiresGrad(true), b);
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], in[2], s, p, d, 1), x.detach().requiresGrad(true), w, b);
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], in[2], s, p, d, 1), x, w, b.detach().requiresGrad(true));
    }

    @Test
    void conv2dLeavesTheInputGradNullWhenItDoesNotRequireGrad() {
        Tensor x = randn(4, 1, 1, 4, 4);
        Tensor w = randn(5, 1, 1, 2, 2).requiresGrad(true);
        x.conv2d(w, null).sum().backward();
        assertNull(x.grad());
        // dL/dw[p][q] = sum over the 3x3 windows of x[i + p][j + q]
        double[] expected = new double[4];
        for (int pp = 0; pp < 2; pp++) {
            for (int q = 0; q < 2; q++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        expected[pp * 2 + q] += x.get(0, 0, i + pp, j + q);
                    }
                }
            }
        }
        assertGradClose(w, shape(1, 1, 2, 2), 1e-12, expected);
    }

    @Test
    void powWithOnlyTheExponentRequiringGrad() {
        Tensor base = Tensor.of(new double[] {0.5, 1.5, 2}, 3);
        Tensor exponent = Tensor.of(new double[] {1.5, -0.5, 2}, 3).requiresGrad(true);
        GradCheck.assertGradientsMatch(in -> in[0].pow(in[1]), base, exponent);
        GradCheck.assertGradientsMatch(in -> in[0].pow(in[1]), base.detach().requiresGrad(true), exponent.detach());
    }

    @Test
    void whereMaximumConcatScatterAddWithOneConstantSide() {
        Tensor a = randn(6, 2, 3).requiresGrad(true);
        Tensor b = randn(7, 3);
        Tensor mask = Tensor.of(new double[] {1, 0, 1}, 3);
        GradCheck.assertGradientsMatch(in -> Tensor.where(mask, in[0], in[1]), a, b);
        GradCheck.assertGradientsMatch(in -> Tensor.where(mask, in[0], in[1]), a.detach(), b.detach().requiresGrad(true));
        GradCheck.assertGradientsMatch(in -> in[0].maximum(in[1]), a, b);
        GradCheck.assertGradientsMatch(in -> Tensor.concat(List.of(in[0], in[1].reshape(1, 3)), 0), a, b);
        Tensor index = Tensor.of(new double[] {1, 1, 0}, 1, 3);
        Tensor src = randn(8, 1, 3);
        GradCheck.assertGradientsMatch(in -> in[0].scatterAdd(0, index, in[1]), a, src);
        GradCheck.assertGradientsMatch(in -> in[0].scatterAdd(0, index, in[1]), a.detach(), src.detach().requiresGrad(true));
    }

    @Test
    void oneTensorAsSeveralInputs() {
        // d/dx x^x = x^x (ln x + 1); maximum(x, x) ties everywhere: g/2 + g/2 = g
        Tensor x = Tensor.of(new double[] {0.5, 1.25, 2}, 3).requiresGrad(true);
        GradCheck.assertGradientsMatch(in -> in[0].pow(in[0]), x);
        GradCheck.assertGradientsMatch(in -> in[0].maximum(in[0]).mul(in[0]), x);
        GradCheck.assertGradientsMatch(in -> Tensor.where(in[0].gt(1), in[0].sin(), in[0].mul(in[0])), x);
        GradCheck.assertGradientsMatch(in -> Tensor.stack(List.of(in[0], in[0].exp(), in[0]), 1), x);
        GradCheck.assertGradientsMatch(
                in -> in[0].scatterAdd(0, Tensor.of(new double[] {2, 2, 0}, 3), in[0].mul(in[0])), x);
        GradCheck.assertGradientsMatch(
                in -> in[0].gather(0, Tensor.of(new double[] {1, 1, 2, 0}, 4)).mul(in[0].indexSelect(0, new int[] {2, 2, 0, 1})),
                x);
        Tensor w = x.detach().requiresGrad(true);
        w.maximum(w).sum().backward();
        assertGradClose(w, shape(3), 0, 1, 1, 1);
    }
}
