package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Anomaly mode ({@link Autograd#detectAnomaly()}): inside it, the first backward rule that produces a NaN
 * or an infinity throws an {@link IllegalStateException} naming the op and showing where in the user's
 * code the op was created; outside it the same backward silently yields NaN or infinity (the contrast
 * each test documents). Scopes nest, restore, and are per thread.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class AnomalyTest {

    /** sqrt(x) * 0 at x = 0: the forward is 0, the backward of sqrt is 0 / (2 sqrt(0)) = 0 / 0 = NaN. */
    private static Tensor sqrtTimesZero(Tensor x) {
        return x.sqrt().mul(0.0).sum();
    }

    @Test
    void sqrtAtZeroTimesZeroNamesSqrtAndItsCreationSite() {
        Tensor x = leaf(new double[] {4, 0}, 2);
        IllegalStateException e;
        try (var scope = Autograd.detectAnomaly()) {
            Tensor y = sqrtTimesZero(x);
            e = assertThrows(IllegalStateException.class, y::backward);
        }
        String msg = e.getMessage();
        assertTrue(msg.startsWith("anomaly: the backward of 'sqrt' produced NaN"), msg);
        assertTrue(msg.contains("input 0") && msg.contains("shape [2]") && msg.contains("flat index 1"), msg);
        // the creation site: this test's helper and this test method, not the engine's own frames
        assertTrue(msg.contains("AnomalyTest.sqrtTimesZero"), msg);
        assertTrue(msg.contains("AnomalyTest.sqrtAtZeroTimesZeroNamesSqrtAndItsCreationSite"), msg);
        assertFalse(msg.contains("at dev.autograd.Tensor.") || msg.contains("at dev.autograd.UnaryOps."),
                "engine frames are left out: " + msg);
        assertNull(x.grad(), "nothing was accumulated");
    }

    @Test
    void outsideAnomalyModeTheSameBackwardSilentlyGivesNaN() {
        Tensor x = leaf(new double[] {4, 0}, 2);
        sqrtTimesZero(x).backward();
        assertEquals(0.0, x.grad().get(0), 0);
        assertTrue(Double.isNaN(x.grad().get(1)), "the contrast: NaN reaches the leaf without a word");
    }

    @Test
    void logAtZeroNamesLogAndReportsInfinity() {
        Tensor x = leaf(new double[] {1, 0, 2}, 3);
        IllegalStateException e;
        try (var scope = Autograd.detectAnomaly()) {
            Tensor y = x.log().mul(Tensor.of(new double[] {1, 1, 1}, 3)).sum();
            e = assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(e.getMessage().startsWith("anomaly: the backward of 'log' produced Infinity"), e.getMessage());
        assertTrue(e.getMessage().contains("AnomalyTest.logAtZeroNamesLogAndReportsInfinity"), e.getMessage());
    }

    @Test
    void outsideAnomalyModeLogAtZeroSilentlyGivesInfinity() {
        Tensor x = leaf(new double[] {1, 0, 2}, 3);
        x.log().sum().backward();
        assertArrayEquals(new double[] {1, Double.POSITIVE_INFINITY, 0.5}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void theOpWhoseBackwardFirstProducesANonFiniteValueIsNamed() {
        // y = exp(1000 x) * 0 + 1: the forward already overflows (exp(1000) = inf, inf * 0 = NaN) without a word:
        // anomaly mode watches the backward, as in PyTorch. mul's backward sends 0 * 1 = 0 to exp, which is
        // finite; exp's backward, 0 * inf, is the first NaN
        Tensor x = leaf(new double[] {1}, 1);
        IllegalStateException e;
        try (var scope = Autograd.detectAnomaly()) {
            Tensor y = x.mul(1000.0).exp().mul(0.0).add(1.0).sum();
            assertTrue(Double.isNaN(y.item()));
            e = assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(e.getMessage().startsWith("anomaly: the backward of 'exp' produced NaN"), e.getMessage());
    }

    @Test
    void finiteGradientsAreUnchangedInAnomalyMode() {
        double[] plain;
        Tensor x = leaf(new double[] {0.5, 1.5}, 2);
        x.sqrt().mul(x.exp()).sum().backward();
        plain = x.grad().toDoubleArray();
        Tensor x2 = leaf(new double[] {0.5, 1.5}, 2);
        try (var scope = Autograd.detectAnomaly()) {
            x2.sqrt().mul(x2.exp()).sum().backward();
        }
        assertArrayEquals(plain, x2.grad().toDoubleArray(), 0);
    }

    @Test
    void anOpCreatedInAnomalyModeIsCheckedEvenIfBackwardRunsAfterTheScope() {
        Tensor x = leaf(new double[] {0}, 1);
        Tensor y;
        try (var scope = Autograd.detectAnomaly()) {
            y = sqrtTimesZero(x);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("'sqrt'") && e.getMessage().contains("AnomalyTest.sqrtTimesZero"),
                e.getMessage());
    }

    @Test
    void anOpCreatedOutsideAnomalyModeIsCheckedWithoutASiteIfBackwardRunsInside() {
        Tensor x = leaf(new double[] {0}, 1);
        Tensor y = sqrtTimesZero(x);
        IllegalStateException e;
        try (var scope = Autograd.detectAnomaly()) {
            e = assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
        assertTrue(e.getMessage().contains("creation site unknown") && e.getMessage().contains("detectAnomaly"),
                e.getMessage());
    }

    @Test
    void autogradGradAndCreateGraphAreCheckedToo() {
        Tensor x = leaf(new double[] {0}, 1);
        try (var scope = Autograd.detectAnomaly()) {
            Tensor y = sqrtTimesZero(x);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Autograd.grad(List.of(y), List.of(x), null, false, true));
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
        }
        // second order: d/dx of d(x^1.5)/dx = 1.5 sqrt(x) is 0.75 / sqrt(x), infinite at 0
        Tensor z = leaf(new double[] {0}, 1);
        try (var scope = Autograd.detectAnomaly()) {
            Tensor g = Autograd.grad(List.of(z.pow(1.5).sum()), List.of(z), null, true, true).get(0);
            assertEquals(0, g.item(), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.sum().backward());
            assertTrue(e.getMessage().startsWith("anomaly: the backward of 'pow'"), e.getMessage());
            assertTrue(e.getMessage().contains("AnomalyTest.autogradGradAndCreateGraphAreCheckedToo"), e.getMessage());
        }
    }

    @Test
    void aCustomFunctionsBackwardIsCheckedAndNamed() {
        CustomFunction reciprocalDerivative = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[0]);
                return in[0].mul(1.0);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad.div(ctx.saved(0))};
            }

            @Override
            public String name() {
                return "divides";
            }
        };
        Tensor x = leaf(new double[] {0}, 1);
        try (var scope = Autograd.detectAnomaly()) {
            Tensor y = reciprocalDerivative.apply(x).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().startsWith("anomaly: the backward of 'divides' produced Infinity"), e.getMessage());
        }
    }

    // ------------------------------------------------------------ scopes

    @Test
    void scopesNestAndRestoreThePreviousSetting() {
        assertFalse(GradMode.isAnomalyDetection());
        try (var outer = Autograd.detectAnomaly()) {
            assertTrue(GradMode.isAnomalyDetection());
            try (var inner = Autograd.detectAnomaly()) {
                assertTrue(GradMode.isAnomalyDetection());
            }
            assertTrue(GradMode.isAnomalyDetection(), "closing the inner scope keeps the outer one on");
        }
        assertFalse(GradMode.isAnomalyDetection(), "closing the outer scope turns it off again");
    }

    @Test
    void closingTwiceIsHarmless() {
        Autograd.AnomalyScope outer = Autograd.detectAnomaly();
        Autograd.AnomalyScope inner = Autograd.detectAnomaly();
        inner.close();
        inner.close();
        assertTrue(GradMode.isAnomalyDetection(), "a second close of the inner scope does not turn the outer off");
        outer.close();
        outer.close();
        assertFalse(GradMode.isAnomalyDetection());
    }

    @Test
    void theSettingIsRestoredWhenTheBodyThrows() {
        assertThrows(IllegalStateException.class, () -> {
            try (var scope = Autograd.detectAnomaly()) {
                sqrtTimesZero(leaf(new double[] {0}, 1)).backward();
            }
        });
        assertFalse(GradMode.isAnomalyDetection());
    }

    @Test
    void anomalyModeAndGradModeAreIndependent() {
        try (var anomaly = Autograd.detectAnomaly(); var noGrad = Autograd.noGrad()) {
            assertTrue(GradMode.isAnomalyDetection());
            assertFalse(Autograd.isGradEnabled());
            Tensor y = leaf(new double[] {1}, 1).mul(2.0);
            assertFalse(y.requiresGrad(), "nothing recorded, so nothing to remember either");
        }
        assertTrue(Autograd.isGradEnabled());
        assertFalse(GradMode.isAnomalyDetection());
    }

    @Test
    void anomalyModeIsPerThread() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (var scope = Autograd.detectAnomaly()) {
            boolean other = pool.submit(GradMode::isAnomalyDetection).get(10, TimeUnit.SECONDS);
            assertFalse(other, "another thread is not in anomaly mode");
            // and its NaN goes through silently while this thread's would throw
            double g = pool.submit(() -> {
                Tensor x = leaf(new double[] {0}, 1);
                sqrtTimesZero(x).backward();
                return x.grad().item();
            }).get(10, TimeUnit.SECONDS);
            assertTrue(Double.isNaN(g));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void opsOnlyRememberTheirSiteInsideTheScope() {
        Tensor x = leaf(new double[] {1}, 1);
        Tensor outside = x.exp();
        Tensor inside;
        try (var scope = Autograd.detectAnomaly()) {
            inside = x.exp();
        }
        assertNull(((Node) outside.gradFn()).creationSite());
        StackTraceElement[] site = ((Node) inside.gradFn()).creationSite();
        assertTrue(site != null && site.length > 0);
        assertTrue(((Node) inside.gradFn()).describeCreationSite()
                .contains("AnomalyTest.opsOnlyRememberTheirSiteInsideTheScope"));
        // with a finite gradient the remembered site changes nothing
        inside.add(outside).sum().backward();
        assertGrad(x, shape(1), 2 * Math.E);
    }
}
