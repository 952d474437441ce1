package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** GradCheck passes correct gradients and catches a planted wrong backward, with a useful report. */
class GradCheckTest {

    /**
     * A planted bug: forward is x * x, but the graph only sees the first factor because the second is
     * detached. The analytic gradient is therefore x while the function's true derivative is 2x.
     */
    private static final Function<Tensor[], Tensor> PLANTED = in -> in[0].mul(in[0].detach()).sum();

    /** x = [0.5, -1, 4]: the error |2x - x| = |x| is worst at index 2 (analytic 4, numeric 8). */
    private static Tensor plantedInput() {
        return Tensor.of(new double[] {0.5, -1, 4}, 3).requiresGrad(true);
    }

    @Test
    void passesOnACorrectFunction() {
        Tensor a = Tensor.of(new double[] {1, -2, 0.5, 3}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {0.3, 2}, 2).requiresGrad(true);
        GradCheck.Report report = GradCheck.check(in -> in[0].mul(in[1]).tanh().sum(), a, b);
        assertTrue(report.passed(), report::toString);
        assertEquals(2, report.inputs().size());
        for (int i = 0; i < 2; i++) {
            GradCheck.InputReport r = report.inputs().get(i);
            assertEquals(i, r.inputIndex());
            assertTrue(r.passed());
            assertTrue(r.maxAbsError() < 1e-6, () -> "abs error " + r.maxAbsError());
        }
        assertArrayEquals(new int[] {2, 2}, report.inputs().get(0).shape());
        assertArrayEquals(new int[] {2}, report.inputs().get(1).shape());
        assertDoesNotThrow(() -> GradCheck.assertGradientsMatch(in -> in[0].mul(in[1]).tanh().sum(), a, b));
    }

    @Test
    void catchesAPlantedWrongBackward() {
        GradCheck.Report report = GradCheck.check(PLANTED, plantedInput());
        assertFalse(report.passed(), report::toString);
        GradCheck.InputReport r = report.inputs().get(0);
        assertEquals(0, r.inputIndex());
        assertFalse(r.passed());
        assertArrayEquals(new int[] {3}, r.shape());
        assertArrayEquals(new int[] {2}, r.worstIndex());
        assertEquals(4.0, r.analytic(), 1e-9);
        assertEquals(8.0, r.numeric(), 1e-4);
        assertEquals(4.0, r.maxAbsError(), 1e-4);
        // relative error |a - n| / |n| = 0.5 everywhere
        assertEquals(0.5, r.maxRelError(), 1e-3);
    }

    @Test
    void assertGradientsMatchNamesInputIndexValuesAndTolerances() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.assertGradientsMatch(PLANTED, plantedInput()));
        String msg = e.getMessage();
        assertTrue(msg.contains("input 0"), msg);
        assertTrue(msg.contains("[2]"), () -> "worst index missing: " + msg);
        List<Double> numbers = numbersIn(msg);
        assertTrue(containsClose(numbers, 4.0, 1e-4), () -> "analytic 4 missing: " + msg);
        assertTrue(containsClose(numbers, 8.0, 1e-4), () -> "numeric 8 missing: " + msg);
        // default tolerances atol 1e-5 and rtol 1e-3
        assertTrue(containsClose(numbers, 1e-5, 1e-12), () -> "atol missing: " + msg);
        assertTrue(containsClose(numbers, 1e-3, 1e-10), () -> "rtol missing: " + msg);
    }

    @Test
    void onlyInputsThatRequireGradAreChecked() {
        Tensor x = plantedInput();
        Tensor constant = Tensor.of(new double[] {1, 2, 3}, 3);
        GradCheck.Report report = GradCheck.check(in -> in[0].mul(in[1]).sum(), constant, x);
        assertEquals(1, report.inputs().size());
        assertEquals(1, report.inputs().get(0).inputIndex());
        assertTrue(report.passed(), report::toString);
    }

    @Test
    void refusesFloat32Inputs() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(in -> in[0].exp().sum(), x));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("float32"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GradCheck.assertGradientsMatch(in -> in[0].exp().sum(), x));
    }

    @Test
    void looseToleranceLetsThePlantedBugPass() {
        // |analytic - numeric| <= 4 < atol
        GradCheck.Report loose = GradCheck.options().atol(10).check(PLANTED, plantedInput());
        assertTrue(loose.passed(), loose::toString);
        assertDoesNotThrow(() -> GradCheck.options().atol(10).assertGradientsMatch(PLANTED, plantedInput()));
        // |x| <= rtol * |2x| once rtol >= 0.5
        assertTrue(GradCheck.options().rtol(0.6).check(PLANTED, plantedInput()).passed());
        // and tight but sensible options still pass a correct function
        Tensor x = Tensor.of(new double[] {0.2, 1.3}, 2).requiresGrad(true);
        assertTrue(GradCheck.options().eps(1e-6).atol(1e-7).rtol(1e-5)
                .check(in -> in[0].exp().sum(), x).passed());
    }

    @Test
    void reportToStringIsReadable() {
        GradCheck.Report report = GradCheck.check(PLANTED, plantedInput());
        String text = report.toString();
        assertFalse(text.isBlank());
        assertFalse(text.contains("[I@"), () -> "int[] printed as an identity hash: " + text);
        assertTrue(text.contains("[3]"), () -> "shape missing: " + text);
        assertTrue(containsClose(numbersIn(text), 4.0, 1e-4), () -> "analytic value missing: " + text);
    }

    @Test
    void checksNonScalarOutputsFully() {
        Tensor a = Tensor.of(new double[] {1, 2, -1, 0.5, 3, -2}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {0.5, -1, 2, 1, -0.3, 0.7}, 3, 2).requiresGrad(true);
        assertDoesNotThrow(() -> GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), a, b));
    }

    @Test
    void catchesAWrongJacobianThatAVectorOfOnesWouldMiss() {
        // f(x) = P x + (x - P x).detach() with P the swap matrix: values are x (true Jacobian I) but the
        // graph only sees P x (analytic Jacobian P). Both Jacobians have column sums [1, 1], so checking only
        // the gradient of sum(f) would pass; a full Jacobian comparison must not.
        Tensor p = Tensor.of(new double[] {0, 1, 1, 0}, 2, 2);
        Function<Tensor[], Tensor> f = in -> p.matmul(in[0]).add(in[0].sub(p.matmul(in[0])).detach());
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        GradCheck.Report report = GradCheck.check(f, x);
        assertFalse(report.passed(), report::toString);
        assertEquals(1.0, report.inputs().get(0).maxAbsError(), 1e-4);
        // the sum alone is indistinguishable
        assertTrue(GradCheck.check(in -> f.apply(in).sum(), x).passed());
    }

    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private static List<Double> numbersIn(String text) {
        List<Double> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            try {
                out.add(Double.parseDouble(m.group()));
            } catch (NumberFormatException ignored) {
                // not a number after all
            }
        }
        return out;
    }

    private static boolean containsClose(List<Double> numbers, double target, double tol) {
        return numbers.stream().anyMatch(v -> Math.abs(v - target) <= tol);
    }
}
