package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clipping by global norm and by value. */
class GradClipTest {

    /** Leaves whose gradients are exactly {@code ga} and {@code gb}: loss = a . ga + b . gb. */
    private static List<Tensor> withGrads(double[] ga, double[] gb) {
        Tensor a = Tensor.zeros(ga.length).requiresGrad(true);
        Tensor b = Tensor.zeros(gb.length).requiresGrad(true);
        a.mul(Tensor.of(ga, ga.length)).sum().add(b.mul(Tensor.of(gb, gb.length)).sum()).backward();
        return List.of(a, b);
    }

    @Test
    void scalesAllGradientsByMaxNormOverTheGlobalNorm() {
        List<Tensor> ps = withGrads(new double[] {3, 4}, new double[] {12});
        double norm = GradClip.clipGradNorm(ps, 6.5);
        assertEquals(13, norm, 1e-12);
        double scale = 6.5 / (13 + 1e-6);
        assertValues(new double[] {3 * scale, 4 * scale}, ps.get(0).grad(), 1e-15);
        assertValues(new double[] {12 * scale}, ps.get(1).grad(), 1e-15);
    }

    @Test
    void totalNormMeasuresWithoutChangingAnything() {
        List<Tensor> ps = withGrads(new double[] {3, 4}, new double[] {12});
        Tensor noGrad = Tensor.zeros(3).requiresGrad(true);
        // sqrt(9 + 16 + 144) = 13; a parameter listed twice counts once, one without a gradient counts 0
        assertEquals(13, GradClip.totalNorm(List.of(ps.get(0), ps.get(1), ps.get(0), noGrad)), 1e-12);
        assertValues(new double[] {3, 4}, ps.get(0).grad(), 0);
        assertEquals(0, GradClip.totalNorm(List.of(noGrad)));
        assertTrue(Double.isNaN(GradClip.totalNorm(withGrads(new double[] {1, Double.NaN}, new double[] {0}))));
    }

    @Test
    void leavesSmallGradientsAlone() {
        List<Tensor> ps = withGrads(new double[] {3, 4}, new double[] {12});
        assertEquals(13, GradClip.clipGradNorm(ps, 20), 1e-12);
        assertValues(new double[] {3, 4}, ps.get(0).grad(), 0);
    }

    @Test
    void gradientsSharedBetweenLeavesAreScaledOnce() {
        // add sends one upstream gradient to both operands; reshape shares storage: the leaves' gradients alias.
        Tensor a = Tensor.zeros(2, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(4).requiresGrad(true);
        a.reshape(4).add(b).mul(Tensor.of(new double[] {1, 1, 1, 1}, 4)).sum().backward();
        Tensor c = Tensor.zeros(3).requiresGrad(true);
        Tensor d = Tensor.zeros(3).requiresGrad(true);
        c.add(d).mul(Tensor.of(new double[] {2, 2, 2}, 3)).sum().backward();
        double norm = GradClip.clipGradNorm(List.of(a, b, c, d), 1);
        assertEquals(Math.sqrt(4 + 4 + 12 + 12), norm, 1e-12);
        double scale = 1 / (norm + 1e-6);
        assertValues(new double[] {scale, scale, scale, scale}, a.grad(), 1e-15);
        assertValues(new double[] {scale, scale, scale, scale}, b.grad(), 1e-15);
        assertValues(new double[] {2 * scale, 2 * scale, 2 * scale}, c.grad(), 1e-15);
        assertValues(new double[] {2 * scale, 2 * scale, 2 * scale}, d.grad(), 1e-15);
    }

    @Test
    void skipsParametersWithoutGradientAndDuplicates() {
        List<Tensor> ps = withGrads(new double[] {3, 4}, new double[] {0});
        Tensor unused = Tensor.zeros(2).requiresGrad(true);
        assertEquals(5, GradClip.clipGradNorm(List.of(ps.get(0), ps.get(0), unused), 100), 1e-12);
        assertNull(unused.grad());
    }

    @Test
    void nonFiniteNormLeavesGradientsUnchanged() {
        List<Tensor> ps = withGrads(new double[] {Double.POSITIVE_INFINITY, 1}, new double[] {1});
        assertTrue(Double.isInfinite(GradClip.clipGradNorm(ps, 1)));
        assertValues(new double[] {Double.POSITIVE_INFINITY, 1}, ps.get(0).grad(), 0);
    }

    @Test
    void clipByValueClampsEachElement() {
        List<Tensor> ps = withGrads(new double[] {-3, 0.5}, new double[] {2});
        GradClip.clipGradValue(ps, 1);
        assertValues(new double[] {-1, 0.5}, ps.get(0).grad(), 0);
        assertValues(new double[] {1}, ps.get(1).grad(), 0);
    }

    @Test
    void rejectsNonPositiveLimits() {
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(), 0)), "clipGradNorm");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(List.of(), -1)), "clipGradValue");
    }
}
