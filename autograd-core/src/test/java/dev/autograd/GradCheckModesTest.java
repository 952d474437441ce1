package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** GradCheck's element reports, fast mode, Richardson extrapolation, several outputs and summaries. */
class GradCheckModesTest {

    /** Forward x * x, but the graph sees only one factor: analytic x, true derivative 2x. */
    private static final Function<Tensor[], Tensor> PLANTED = in -> in[0].mul(in[0].detach());

    @Test
    void everyElementIsReportedWithBothFunctionValues() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true).name("x");
        GradCheck.Report report = GradCheck.check(in -> in[0].mul(in[0]).sum(), x);
        List<GradCheck.Element> elements = report.elements();
        assertEquals(2, elements.size());
        GradCheck.Element second = elements.get(1);
        assertEquals("x", second.inputName());
        assertArrayEquals(new int[] {1}, second.index());
        // f = x0^2 + x1^2 = 5; f(x1 +- 1e-6) = 5 +- 4e-6 (+1e-12)
        assertEquals(5 + 4e-6, second.fPlus(), 1e-9);
        assertEquals(5 - 4e-6, second.fMinus(), 1e-9);
        assertEquals(4, second.analytic(), 1e-12);
        assertEquals(4, second.numeric(), 1e-6);
        assertEquals(GradCheck.Status.PASSED, second.status());
        assertTrue(report.toTable().contains("f(x+eps)"));
    }

    @Test
    void theSummaryLineCountsAndNamesTheWorstElement() {
        Tensor w = Tensor.of(new double[] {0.5, -1, 4, 2}, 2, 2).requiresGrad(true).name("w");
        GradCheck.Report report = GradCheck.check(in -> PLANTED.apply(in).sum(), w);
        String summary = report.summary();
        assertTrue(summary.contains("4 elements checked, 0 passed, 4 failed"), summary);
        assertTrue(summary.contains("at input 'w' index [1, 0]"), summary);
        assertEquals(GradCheck.Status.FAILED, report.worst(1).get(0).status());
        assertArrayEquals(new int[] {1, 0}, report.worst(1).get(0).index());
    }

    @Test
    void fastModeChecksOneProjectionPerInputAndCatchesTheBug() {
        Tensor a = Tensor.of(new double[] {0.5, -1, 4, 2, 1.5, -0.5}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        GradCheck.Options fast = GradCheck.options().mode(GradCheck.Mode.FAST);
        GradCheck.Report good = fast.check(in -> in[0].mul(in[1]).tanh(), a, b);
        assertTrue(good.passed(), good::toString);
        assertEquals(2, good.elements().size(), "one projection per input");
        assertArrayEquals(new int[0], good.elements().get(0).index());
        assertFalse(fast.check(PLANTED, a).passed());
        // the projection depends on the seed, never on the run
        assertEquals(fast.check(PLANTED, a).elements().get(0).numeric(),
                fast.check(PLANTED, a).elements().get(0).numeric());
    }

    @Test
    void richardsonExtrapolationIsMoreAccurateOnAStiffFunction() {
        // f = exp(3x) at x = 2: f''' is large, so the O(eps^2) error of central differences shows at a
        // coarse eps, and extrapolation removes it.
        Tensor x = Tensor.of(new double[] {2}, 1).requiresGrad(true);
        Function<Tensor[], Tensor> f = in -> in[0].mul(3).exp();
        GradCheck.Options coarse = GradCheck.options().eps(1e-3).atol(0).rtol(1e-9);
        double plain = coarse.check(f, x).elements().get(0).absError();
        double extrapolated = coarse.richardson(true).check(f, x).elements().get(0).absError();
        assertTrue(extrapolated < plain / 100, () -> "plain " + plain + ", richardson " + extrapolated);
    }

    @Test
    void everyOutputOfASeveralOutputFunctionIsChecked() {
        Tensor x = Tensor.of(new double[] {0.3, -0.7}, 2).requiresGrad(true);
        GradCheck.Report report = GradCheck.checkOutputs(in -> List.of(in[0].exp(), in[0].sum().mul(3)), x);
        assertTrue(report.passed(), report::toString);
        // 2 input elements x (2 + 1) output elements
        assertEquals(6, report.elements().size());
        assertTrue(report.elements().stream().anyMatch(e -> e.output() == 1));
        GradCheck.Report wrong = GradCheck.checkOutputs(in -> List.of(in[0].exp(), PLANTED.apply(in)), x);
        assertFalse(wrong.passed());
        assertTrue(wrong.worst(1).get(0).output() == 1, wrong::toString);
    }

    @Test
    void secondOrderCheckCatchesAWrongSecondDerivative() {
        Tensor x = Tensor.of(new double[] {0.4, 1.3}, 2).requiresGrad(true);
        assertTrue(GradCheck.checkSecondOrder(in -> in[0].pow(3).sum(), x).passed());
        // forward x^3, backward 3 x^2 computed from a detached x: right first derivative, second derivative 0
        CustomFunction cube = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[0]);
                return in[0].pow(3);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g.mul(ctx.saved(0).detach().pow(2).mul(3))};
            }
        };
        assertTrue(GradCheck.check(in -> cube.apply(in[0]).sum(), x).passed());
        assertFalse(GradCheck.checkSecondOrder(in -> cube.apply(in[0]).sum(), x).passed());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> GradCheck.options().eps(0));
        assertThrows(IllegalArgumentException.class, () -> GradCheck.options().atol(-1));
        assertThrows(NullPointerException.class, () -> GradCheck.options().mode(null));
        Tensor x = Tensor.of(new double[] {1}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(in -> in[0].exp(), x));
        assertTrue(e.getMessage().contains("no input requires grad"), e.getMessage());
    }
}
