package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * The checks beyond first order: {@link GradCheck.Options#checkJvpVjp} (forward and reverse mode agree),
 * {@link GradCheck.Options#checkRepeatedBackward} (a retained graph gives the same gradients twice) and the
 * second-order check, each passing on correct functions and failing on a planted inconsistency: custom
 * functions whose backward is wrong in a way the check can see. Also what a check cannot see.
 */
class GradCheckExtrasTest {

    /** sin with a correct first derivative whose backward detaches the upstream gradient. */
    static final class DetachingSin extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].sin();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            // the value is right, but cut from the graph: the backward is not differentiable in grad
            return new Tensor[] {grad.detach().mul(ctx.saved(0).cos().detach())};
        }
    }

    /** sin whose backward reads cos(x) as a constant: first order right, second order wrong. */
    static final class ConstantCosSin extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].sin();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(0).detach().cos())};
        }
    }

    /** sin with a wrong but linear backward (sin instead of cos). */
    static final class WrongSin extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].sin();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(0).sin())};
        }
    }

    /** exp whose backward scales by how many times it has run: the second backward differs. */
    static final class DriftingExp extends CustomFunction {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].exp();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(0).exp()).mul(calls.incrementAndGet())};
        }
    }

    /** exp whose backward consumes a value it kept in the context: the second backward gets nothing. */
    static final class ForgetfulExp extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor out = in[0].exp();
            ctx.put("out", out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor out = ctx.get("out");
            ctx.put("out", Tensor.zerosLike(out));
            return new Tensor[] {grad.mul(out)};
        }
    }

    private static Tensor[] point() {
        Random r = new Random(21);
        return new Tensor[] {Tensor.randn(r, 3, 2).requiresGrad(true).name("x"), Tensor.randn(r, 2, 4).requiresGrad(true)};
    }

    private static final Function<Tensor[], Tensor> LAYER = in -> in[0].matmul(in[1]).tanh().mul(in[0].sum(1, true));

    // ------------------------------------------------------------ jvp vs vjp

    @Test
    void jvpVjpPassesOnCorrectFunctions() {
        GradCheck.Report report = GradCheck.options().checkJvpVjp(LAYER, point());
        assertTrue(report.passed(), report::toString);
        assertEquals("jvp-vjp", report.kind());
        assertEquals(2, report.inputs().size(), "one projection per input that requires grad");
        assertEquals("x", report.inputs().get(0).inputName());
        for (GradCheck.InputReport input : report.inputs()) {
            assertEquals(1, input.checked());
            GradCheck.Element e = input.elements().get(0);
            assertTrue(Math.abs(e.analytic()) > 1e-3, "a non-trivial projection: " + e);
            assertEquals(e.numeric(), e.analytic(), 1e-10 * Math.abs(e.numeric()), e::toString);
        }
        assertTrue(GradCheck.options().checkJvpVjp(in -> new ConstantCosSin().apply(in[0]).sum(),
                Tensor.of(new double[] {0.5, -1}, 2).requiresGrad(true)).passed());
    }

    @Test
    void jvpVjpSkipsInputsThatDoNotRequireGrad() {
        Tensor[] p = point();
        p[1].requiresGrad(false);
        GradCheck.Report report = GradCheck.options().checkJvpVjp(LAYER, p);
        assertTrue(report.passed(), report::toString);
        assertEquals(1, report.inputs().size());
        assertEquals(0, report.inputs().get(0).inputIndex());
    }

    @Test
    void jvpVjpFailsOnABackwardThatDetachesItsGradient() {
        // forward mode by double-vjp differentiates the backward with respect to its upstream gradient: a
        // backward cut from the graph gives J u = 0 while the vjp is right
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2}, 3).requiresGrad(true);
        GradCheck.Report report = GradCheck.options().checkJvpVjp(in -> new DetachingSin().apply(in[0]), x);
        assertFalse(report.passed(), report::toString);
        GradCheck.Element e = report.elements().get(0);
        assertEquals(0.0, e.numeric(), 0, "<v, J u> through the detached backward: " + e);
        assertTrue(Math.abs(e.analytic()) > 1e-3, e::toString);
        assertEquals(GradCheck.Status.FAILED, e.status());
        assertTrue(report.summary().contains("FAILED"), report.summary());
        // while the ordinary gradient check passes: the first derivative is right
        assertTrue(GradCheck.check(in -> new DetachingSin().apply(in[0]), x).passed());
    }

    @Test
    void jvpVjpCannotSeeAWrongButLinearBackward() {
        // documented limit: with jvp computed from the backward (double-vjp), a backward that is wrong but
        // linear in its gradient is consistent with itself; the finite-difference check catches it
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2}, 3).requiresGrad(true);
        assertTrue(GradCheck.options().checkJvpVjp(in -> new WrongSin().apply(in[0]), x).passed());
        GradCheck.Report fd = GradCheck.check(in -> new WrongSin().apply(in[0]), x);
        assertFalse(fd.passed(), fd::toString);
        AssertionError error = assertThrows(AssertionError.class,
                () -> GradCheck.assertGradientsMatch(in -> new WrongSin().apply(in[0]), x));
        assertTrue(error.getMessage().contains("input 0"), error.getMessage());
    }

    @Test
    void jvpVjpRespectsTheTolerance() {
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2}, 3).requiresGrad(true);
        // with an enormous tolerance even the detached backward passes: the tolerance is what decides
        assertTrue(GradCheck.options().atol(1e3).checkJvpVjp(in -> new DetachingSin().apply(in[0]), x).passed());
        // and the seed chooses u and v: another seed, another projection, same verdict
        GradCheck.Report other = GradCheck.options().seed(99).checkJvpVjp(LAYER, point());
        assertTrue(other.passed(), other::toString);
    }

    @Test
    void jvpVjpRefusesFloat32() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.options().checkJvpVjp(in -> in[0].exp(), x));
    }

    // ------------------------------------------------------------ repeated backward

    @Test
    void repeatedBackwardPassesOnCorrectFunctions() {
        GradCheck.Report report = GradCheck.options().checkRepeatedBackward(LAYER, point());
        assertTrue(report.passed(), report::toString);
        assertEquals("repeated backward", report.kind());
        assertEquals(6, report.inputs().get(0).checked(), "one element per entry of x [3, 2]");
        assertEquals(8, report.inputs().get(1).checked(), "one element per entry of w [2, 4]");
        for (GradCheck.Element e : report.elements()) {
            assertEquals(e.analytic(), e.numeric(), 0.0, "the two passes agree exactly: " + e);
        }
        // through ops with saved outputs, a custom function, and a checkpoint
        Tensor y = Tensor.of(new double[] {0.2, 0.7, -0.4}, 3).requiresGrad(true);
        assertTrue(GradCheck.options().checkRepeatedBackward(in -> in[0].exp().sqrt().softmax(0), y).passed());
        assertTrue(GradCheck.options().checkRepeatedBackward(in -> new ConstantCosSin().apply(in[0]), y).passed());
        assertTrue(GradCheck.options().checkRepeatedBackward(
                in -> Autograd.checkpoint(s -> s[0].tanh().mul(s[0]), in[0]), y).passed());
    }

    @Test
    void repeatedBackwardFailsOnABackwardWithState() {
        Tensor x = Tensor.of(new double[] {0.5, 1, -0.5}, 3).requiresGrad(true);
        GradCheck.Report report = GradCheck.options().checkRepeatedBackward(in -> new DriftingExp().apply(in[0]), x);
        assertFalse(report.passed(), report::toString);
        assertEquals(3, report.inputs().get(0).failed(), report::toString);
        for (GradCheck.Element e : report.elements()) {
            assertEquals(2 * e.analytic(), e.numeric(), 1e-12, "the second pass doubles: " + e);
        }
        // a single backward of it is right: the fast check (one backward pass) passes, while the full check,
        // which runs one backward per output element through one graph, sees the drift too
        assertTrue(GradCheck.options().mode(GradCheck.Mode.FAST).check(in -> new DriftingExp().apply(in[0]), x).passed());
        assertFalse(GradCheck.check(in -> new DriftingExp().apply(in[0]), x).passed());
    }

    @Test
    void repeatedBackwardFailsOnABackwardThatConsumesItsContext() {
        Tensor x = Tensor.of(new double[] {0.5, 1}, 2).requiresGrad(true);
        GradCheck.Report report = GradCheck.options().checkRepeatedBackward(in -> new ForgetfulExp().apply(in[0]), x);
        assertFalse(report.passed(), report::toString);
        assertEquals(0.0, report.elements().get(0).numeric(), 0, "the second pass got zeros: " + report);
        assertTrue(report.toString().contains("FAILED"), report::toString);
    }

    // ------------------------------------------------------------ second order

    @Test
    void secondOrderPassesOnCorrectFunctionsAndCustomFunctionsWithDifferentiableBackwards() {
        GradCheck.Report report = GradCheck.checkSecondOrder(LAYER, point());
        assertTrue(report.passed(), report::toString);
        assertEquals("second order", report.kind());
        // x [3, 2] and w [2, 4]: 14 gradient entries, each differentiated with respect to each input element
        assertEquals(14 * 6, report.inputs().get(0).checked());
        assertEquals(14 * 8, report.inputs().get(1).checked());
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2}, 3).requiresGrad(true);
        GradCheck.assertSecondOrderGradientsMatch(in -> new CustomFunctionTest.StableSoftplus().apply(in[0]), x);
    }

    @Test
    void secondOrderFailsOnABackwardThatTreatsASavedInputAsAConstant() {
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2}, 3).requiresGrad(true);
        // first order is right
        GradCheck.assertGradientsMatch(in -> new ConstantCosSin().apply(in[0]), x);
        // second order: d/dx (v cos x) = -v sin x, but the backward's graph does not reach x
        GradCheck.Report report = GradCheck.checkSecondOrder(in -> new ConstantCosSin().apply(in[0]), x);
        assertFalse(report.passed(), report::toString);
        assertEquals(3, report.inputs().get(0).failed(), "the three diagonal entries: " + report);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.assertSecondOrderGradientsMatch(in -> new ConstantCosSin().apply(in[0]), x));
        assertTrue(e.getMessage().startsWith("second order: GradCheck second order FAILED"), e.getMessage());
        assertTrue(e.getMessage().contains("analytic 0.00000000"), e.getMessage());
    }

    @Test
    void secondOrderFailsOnADetachingBackward() {
        Tensor x = Tensor.of(new double[] {0.3, -1.2}, 2).requiresGrad(true);
        assertFalse(GradCheck.checkSecondOrder(in -> new DetachingSin().apply(in[0]), x).passed());
    }
}
