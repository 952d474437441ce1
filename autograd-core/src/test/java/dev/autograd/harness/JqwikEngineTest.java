package dev.autograd.harness;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Proves that the jqwik engine really runs in this build and that a failing property is a failure: the
 * engine is started on {@link PlantedFailure}, whose property checks a wrong gradient, and must report it
 * as failed. (Surefire never picks {@code PlantedFailure} up itself: its name matches no include pattern.)
 */
class JqwikEngineTest {

    @Test
    void aFailingGradCheckPropertyFailsTheRun() {
        EngineTestKit.engine("jqwik")
                .configurationParameter("jqwik.database", "target/jqwik-database-planted")
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .selectors(selectClass(PlantedFailure.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(1).failed(1).succeeded(0));
    }

    @Test
    void aPassingGradCheckPropertyPasses() {
        EngineTestKit.engine("jqwik")
                .configurationParameter("jqwik.database", "target/jqwik-database-planted")
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .selectors(selectClass(PlantedSuccess.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(1).failed(0).succeeded(1));
    }

    /** A property over a planted wrong backward: x * x with one factor detached has gradient x, not 2x. */
    static class PlantedFailure {
        @Property(tries = 20)
        void wrongGradient(@ForAll @DoubleRange(min = 0.5, max = 3) double value) {
            Tensor x = Tensor.of(new double[] {value}, 1).requiresGrad(true);
            GradCheck.assertGradientsMatch(in -> in[0].mul(in[0].detach()).sum(), x);
        }
    }

    /** The same property over the correct function. */
    static class PlantedSuccess {
        @Property(tries = 20)
        void rightGradient(@ForAll @DoubleRange(min = 0.5, max = 3) double value) {
            Tensor x = Tensor.of(new double[] {value}, 1).requiresGrad(true);
            GradCheck.assertGradientsMatch(in -> in[0].mul(in[0]).sum(), x);
        }
    }
}
