package dev.autograd.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The property harness (these generators plus GradCheck) catches each planted bug within jqwik's default
 * number of tries, in full mode and in fast mode: each property below is run by the jqwik engine and must
 * fail. (Surefire does not run {@link Planted} itself: its name matches no include pattern.)
 */
class HarnessCatchesPlantedBugsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wrongSign", "missingUnbroadcastSum", "factorTwo", "assignInsteadOfAccumulate",
        "wrongAxis", "wrongSignFast", "missingUnbroadcastSumFast", "factorTwoFast", "assignInsteadOfAccumulateFast",
        "wrongAxisFast"})
    void theHarnessCatchesThePlantedBug(String property) {
        Method method = Arrays.stream(Planted.class.getDeclaredMethods())
                .filter(m -> m.getName().equals(property)).findFirst().orElseThrow();
        Events events = EngineTestKit.engine("jqwik")
                .configurationParameter("jqwik.database", "target/jqwik-database-planted")
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .selectors(selectMethod(Planted.class, method))
                .execute()
                .testEvents();
        events.assertStatistics(stats -> stats.started(1).failed(1));
        // Caught by GradCheck's verdict, not by some other exception along the way.
        Throwable cause = events.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertTrue(cause instanceof AssertionError && String.valueOf(cause.getMessage()).contains("GradCheck"),
                () -> property + " failed for another reason: " + cause);
        if (property.equals("wrongSign") || property.equals("factorTwo")) {
            // jqwik shrinks the failing tensor to the smallest case: a single number (a 0-d tensor).
            assertTrue(cause.getMessage().contains("(shape [])"), () -> "not shrunk to a scalar: " + cause.getMessage());
        }
    }

    /** Gradient properties as a user would write them, over ops with planted bugs. */
    static class Planted {
        private static final GradCheck.Options FAST = GradCheck.options().mode(GradCheck.Mode.FAST);

        @Provide
        Arbitrary<Tensor> any() {
            return TensorArbitraries.tensors(TensorArbitraries.shapes(0, 3, 4), Domain.bounded(-2, 2));
        }

        @Provide
        Arbitrary<Tensor> matrix() {
            return TensorArbitraries.tensors(TensorArbitraries.shapes(2, 2, 4), Domain.bounded(-2, 2));
        }

        @Provide
        Arbitrary<Tensor> row() {
            return TensorArbitraries.tensors(TensorArbitraries.shapes(1, 1, 4), Domain.bounded(-2, 2));
        }

        @Provide
        Arbitrary<Tensor> square() {
            return net.jqwik.api.Arbitraries.integers().between(1, 4).flatMap(n ->
                    TensorArbitraries.tensors(new int[] {n, n}, Domain.bounded(-2, 2)));
        }

        @Property
        void wrongSign(@ForAll("any") Tensor x) {
            GradCheck.assertGradientsMatch(in -> new PlantedBugs.WrongSignExp().apply(in[0]), x);
        }

        @Property
        void wrongSignFast(@ForAll("any") Tensor x) {
            FAST.assertGradientsMatch(in -> new PlantedBugs.WrongSignExp().apply(in[0]), x);
        }

        @Property
        void missingUnbroadcastSum(@ForAll("matrix") Tensor a, @ForAll("row") Tensor b) {
            net.jqwik.api.Assume.that(a.shape()[1] == b.shape()[0]);
            GradCheck.assertGradientsMatch(in -> new PlantedBugs.MissingUnbroadcastSumAdd().apply(in[0], in[1]), a, b);
        }

        @Property
        void missingUnbroadcastSumFast(@ForAll("matrix") Tensor a, @ForAll("row") Tensor b) {
            net.jqwik.api.Assume.that(a.shape()[1] == b.shape()[0]);
            FAST.assertGradientsMatch(in -> new PlantedBugs.MissingUnbroadcastSumAdd().apply(in[0], in[1]), a, b);
        }

        @Property
        void factorTwo(@ForAll("any") Tensor x) {
            GradCheck.assertGradientsMatch(in -> new PlantedBugs.FactorTwoSquare().apply(in[0]), x);
        }

        @Property
        void factorTwoFast(@ForAll("any") Tensor x) {
            FAST.assertGradientsMatch(in -> new PlantedBugs.FactorTwoSquare().apply(in[0]), x);
        }

        @Provide
        Arbitrary<Tensor[]> pairs() {
            return TensorArbitraries.broadcastPairs(3, 4, Domain.bounded(-2, 2), Domain.bounded(-2, 2));
        }

        @Property
        void assignInsteadOfAccumulate(@ForAll("pairs") Tensor[] ab) {
            GradCheck.assertGradientsMatch(in -> new PlantedBugs.AssignInsteadOfAccumulate().apply(in[0], in[1]), ab);
        }

        @Property
        void assignInsteadOfAccumulateFast(@ForAll("pairs") Tensor[] ab) {
            FAST.assertGradientsMatch(in -> new PlantedBugs.AssignInsteadOfAccumulate().apply(in[0], in[1]), ab);
        }

        @Property
        void wrongAxis(@ForAll("square") Tensor x) {
            GradCheck.assertGradientsMatch(in -> new PlantedBugs.WrongAxisRowSum().apply(in[0]), x);
        }

        @Property
        void wrongAxisFast(@ForAll("square") Tensor x) {
            FAST.assertGradientsMatch(in -> new PlantedBugs.WrongAxisRowSum().apply(in[0]), x);
        }
    }
}
