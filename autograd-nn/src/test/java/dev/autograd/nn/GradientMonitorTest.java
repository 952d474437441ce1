package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.GradientMonitor.Kind;
import dev.autograd.nn.GradientMonitor.LayerStats;
import dev.autograd.nn.GradientMonitor.ParameterStats;
import dev.autograd.nn.GradientMonitor.StepRecord;
import dev.autograd.nn.GradientMonitor.Thresholds;
import dev.autograd.nn.GradientMonitor.Warning;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class GradientMonitorTest {

    /** A 10-layer MLP (9 hidden layers of 32) over 4 inputs, weights re-drawn from N(0, std^2) when std > 0. */
    private static MLP deep(Supplier<Module> activation, double std, long seed) {
        Random random = new Random(seed);
        MLP net = MLP.builder(4, 32, 32, 32, 32, 32, 32, 32, 32, 32, 1).activation(activation).build(random);
        if (std > 0) {
            net.apply(m -> {
                if (m instanceof Linear l) {
                    Init.normal(l.weight(), 0, std, random);
                }
            });
        }
        return net;
    }

    private static void backward(Module model, long seed) {
        Random random = new Random(seed);
        Tensor x = Tensor.randn(random, 64, 4);
        Tensor y = Tensor.randn(random, 64, 1);
        Losses.mse(model.forward(x), y).backward();
    }

    private static List<Warning> ofKind(StepRecord record, Kind kind) {
        return record.warnings().stream().filter(w -> w.kind() == kind).collect(Collectors.toList());
    }

    @Nested
    class Flags {

        @Test
        void aDeepSigmoidNetworkWithSmallWeightsHasVanishingGradientsInItsFirstLayers() {
            MLP net = deep(Sigmoid::new, 0.01, 1);
            backward(net, 2);
            StepRecord record = new GradientMonitor(net).record();

            List<Warning> vanishing = ofKind(record, Kind.VANISHING);
            assertFalse(vanishing.isEmpty(), record.toTable());
            assertEquals("0", vanishing.get(0).layer(), "the input layer is flagged first:\n" + record.toTable());
            assertTrue(vanishing.get(0).message().contains("layer '0' (Linear)"), vanishing.get(0).message());
            String remedies = vanishing.get(0).remedies();
            for (String cure : List.of("ReLU", "Sigmoid", "LayerNorm", "Residual", "Init.kaimingNormal")) {
                assertTrue(remedies.contains(cure), "remedies should mention " + cure + ": " + remedies);
            }
            // The output layer, where the gradient arrives first, is healthy and not flagged.
            assertTrue(record.warnings().stream().noneMatch(w -> w.layer().equals("18")), record.toTable());
            assertTrue(record.layer("0").gradNorm() < 1e-4 * record.layer("18").gradNorm());
            assertTrue(ofKind(record, Kind.EXPLODING).isEmpty());
        }

        @Test
        void aDeepReluNetworkWithLargeWeightsHasExplodingGradients() {
            MLP net = deep(ReLU::new, 1.0, 1);
            backward(net, 2);
            StepRecord record = new GradientMonitor(net).record();

            List<Warning> exploding = ofKind(record, Kind.EXPLODING);
            assertFalse(exploding.isEmpty(), record.toTable());
            assertTrue(exploding.stream().anyMatch(w -> w.layer().equals("18")), record.toTable());
            assertTrue(exploding.get(0).value() > 1e3);
            assertTrue(exploding.get(0).remedies().contains("GradClip.clipGradNorm"), exploding.get(0).remedies());
            assertTrue(exploding.get(0).remedies().contains("smaller learning rate"), exploding.get(0).remedies());
        }

        @Test
        void aNaNInTheDataGivesNonFiniteGradientsNamedByLayer() {
            Module net = MLP.builder(2, 8, 1).build(new Random(3));
            Tensor x = Tensor.of(new double[] {1, Double.NaN, 0.5, 0.25}, 2, 2);
            Losses.mse(net.forward(x), Tensor.zeros(2, 1)).backward();
            StepRecord record = new GradientMonitor(net).record();

            List<Warning> bad = ofKind(record, Kind.NON_FINITE);
            assertEquals(List.of("0", "2"), bad.stream().map(Warning::layer).collect(Collectors.toList()), record.toTable());
            assertTrue(bad.get(0).remedies().contains("Autograd.detectAnomaly()"), bad.get(0).remedies());
            assertTrue(ofKind(record, Kind.EXPLODING).isEmpty(), "NaN is reported once, as NON_FINITE");
        }

        @Test
        void aHugeLearningRateGivesLargeUpdates() {
            Module net = MLP.builder(2, 8, 1).activation(Tanh::new).build(new Random(4));
            GradientMonitor monitor = new GradientMonitor(net);
            backward2d(net);
            StepRecord record = monitor.step(new SGD(net.parameters(), 1e3));

            List<Warning> large = ofKind(record, Kind.LARGE_UPDATE);
            assertFalse(large.isEmpty(), record.toTable());
            assertTrue(large.get(0).value() > 0.5);
            assertTrue(large.get(0).remedies().contains("smaller learning rate"));
        }

        @Test
        void gradientsThatVanishEverywhereGiveOneModelWideWarning() {
            Module net = MLP.builder(2, 4, 1).build(new Random(5));
            backward2d(net);
            // Pretend the whole model's gradients are tiny by raising the absolute threshold above them all.
            StepRecord record = new GradientMonitor(net, Thresholds.defaults().withVanishing(1e2)).record();

            assertEquals(1, record.warnings().size(), record.toTable());
            Warning w = record.warnings().get(0);
            assertEquals(Kind.VANISHING, w.kind());
            assertEquals(GradientMonitor.ALL_LAYERS, w.layer());
            assertTrue(w.message().contains("converged"), w.message());
        }
    }

    @Nested
    class StaysQuiet {

        @Test
        void whileAHealthyNetworkTrains() {
            Random random = new Random(6);
            Module net = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(random);
            Tensor x = Tensor.randn(random, 64, 2);
            Tensor y = x.select(1, 0).mul(x.select(1, 1)).sin().reshape(64, 1);
            Adam opt = new Adam(net.parameters(), 1e-2);
            GradientMonitor monitor = new GradientMonitor(net);
            for (int step = 0; step < 60; step++) {
                opt.zeroGrad();
                Losses.mse(net.forward(x), y).backward();
                monitor.step(opt);
            }
            assertEquals(60, monitor.history().size());
            assertEquals(List.of(), monitor.warnings(), monitor.last().toTable());
            for (StepRecord r : monitor.history()) {
                assertTrue(r.healthy());
                for (LayerStats l : r.layers()) {
                    assertTrue(l.updateToWeight() > 0 && l.updateToWeight() < 0.5, r.toTable());
                }
            }
        }

        @Test
        void onADeepReluNetworkWithKaimingInitAndOnAResidualSigmoidNetwork() {
            MLP relu = deep(ReLU::new, 0, 7);
            relu.apply(m -> {
                if (m instanceof Linear l) {
                    Init.kaimingNormal(l.weight(), new Random(8));
                }
            });
            backward(relu, 9);
            StepRecord reluRecord = new GradientMonitor(relu).record();
            assertTrue(reluRecord.healthy(), reluRecord.toTable());

            Random random = new Random(10);
            Sequential residual = new Sequential(new Linear(4, 32, random), new Sigmoid());
            for (int i = 0; i < 8; i++) {
                residual.add(new Residual(new Sequential(new Linear(32, 32, random), new Sigmoid())));
            }
            residual.add(new Linear(32, 1, random));
            backward(residual, 11);
            StepRecord resRecord = new GradientMonitor(residual).record();
            assertTrue(resRecord.healthy(), resRecord.toTable());
            assertEquals("2.fn.0", resRecord.layers().get(1).layer(), "layers are named by module path");
        }
    }

    @Nested
    class Measures {

        @Test
        void parameterAndLayerNormsAndTheTotalMatchAHandComputation() {
            Module net = MLP.builder(3, 5, 2).build(new Random(12));
            Random random = new Random(13);
            Losses.mse(net.forward(Tensor.randn(random, 7, 3)), Tensor.randn(random, 7, 2)).backward();
            StepRecord record = new GradientMonitor(net).record();

            double total = 0;
            for (ParameterStats p : record.parameters()) {
                Tensor t = net.namedParameters().get(p.name());
                assertEquals(norm(t.grad()), p.gradNorm(), 1e-12, p.name());
                assertEquals(norm(t), p.weightNorm(), 1e-12, p.name());
                assertEquals(t.numel(), p.numel());
                assertTrue(Double.isNaN(p.updateNorm()), "no step was measured");
                total += p.gradNorm() * p.gradNorm();
            }
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                    record.parameters().stream().map(ParameterStats::name).collect(Collectors.toList()));
            LayerStats first = record.layer("0");
            assertEquals("Linear", first.type());
            assertEquals(20, first.numel());
            assertEquals(Math.hypot(record.parameters().get(0).gradNorm(), record.parameters().get(1).gradNorm()),
                    first.gradNorm(), 1e-12);
            assertEquals(Math.sqrt(total), record.totalGradNorm(), 1e-12);
            assertEquals(GradClip.clipGradNorm(net.parameters(), 1e300), record.totalGradNorm(), 1e-12);
        }

        @Test
        void anSgdStepMovesEachParameterByTheLearningRateTimesItsGradient() {
            Module net = MLP.builder(2, 8, 1).build(new Random(14));
            backward2d(net);
            GradientMonitor monitor = new GradientMonitor(net);
            StepRecord before = monitor.beforeStep();
            assertTrue(monitor.history().isEmpty(), "a step enters the history when it is complete");
            new SGD(net.parameters(), 0.1).step();
            StepRecord after = monitor.afterStep();

            assertEquals(0, after.step());
            for (int i = 0; i < after.parameters().size(); i++) {
                ParameterStats p = after.parameters().get(i);
                assertEquals(before.parameters().get(i).gradNorm(), p.gradNorm());
                assertEquals(0.1 * p.gradNorm(), p.updateNorm(), 1e-12, p.name());
                assertEquals(p.updateNorm() / p.weightNorm(), p.updateToWeight(), 1e-15);
            }
            assertEquals(List.of(after), monitor.history());
            assertEquals(1, monitor.record().step(), "steps are numbered in order");
        }

        @Test
        void historyIsReadableAsDataPerLayer() {
            Module net = MLP.builder(2, 4, 1).build(new Random(15));
            GradientMonitor monitor = new GradientMonitor(net);
            for (int i = 0; i < 3; i++) {
                net.zeroGrad();
                backward2d(net);
                monitor.record();
            }
            double[] series = monitor.gradNormHistory("2");
            assertEquals(3, series.length);
            assertEquals(monitor.history().get(1).layer("2").gradNorm(), series[1]);
            assertTrue(Double.isNaN(monitor.gradNormHistory("nope")[0]));
            monitor.reset();
            assertTrue(monitor.history().isEmpty());
        }

        @Test
        void parametersWithoutAGradientAreReportedButNotJudged() {
            Module net = MLP.builder(2, 4, 1).build(new Random(16));
            StepRecord record = new GradientMonitor(net).record();
            assertTrue(record.healthy());
            assertFalse(record.layer("0").hasGradient());
            assertTrue(record.toTable().contains("-"));
        }

        @Test
        void aCustomGroupingPutsParametersIntoTheGivenLayers() {
            Module net = MLP.builder(2, 4, 4, 1).build(new Random(17));
            backward2d(net);
            StepRecord record = new GradientMonitor(net, Thresholds.defaults(),
                    name -> name.startsWith("4.") ? "head" : "body").record();
            assertEquals(List.of("body", "head"), record.layers().stream().map(LayerStats::layer).collect(Collectors.toList()));
            assertEquals(4 * 2 + 4 + 4 * 4 + 4, record.layer("body").numel());
        }

        @Test
        void theTableListsEveryLayerAndTheFlags() {
            MLP net = deep(Sigmoid::new, 0.01, 1);
            backward(net, 2);
            String table = new GradientMonitor(net).record().toTable();
            assertTrue(table.startsWith("layer"), table);
            assertTrue(table.contains("VANISHING"), table);
            assertTrue(table.contains("total gradient norm"), table);
            assertEquals(10 + 2 + 1, table.lines().filter(l -> !l.startsWith("warning")).count(), table);
        }
    }

    @Nested
    class Misuse {

        @Test
        void afterStepNeedsBeforeStep() {
            GradientMonitor monitor = new GradientMonitor(MLP.builder(2, 1).build(new Random(18)));
            IllegalStateException e = assertThrows(IllegalStateException.class, monitor::afterStep);
            assertTrue(e.getMessage().contains("beforeStep()"), e.getMessage());
        }

        @Test
        void aPendingBeforeStepMustBeCompleted() {
            GradientMonitor monitor = new GradientMonitor(MLP.builder(2, 1).build(new Random(19)));
            monitor.beforeStep();
            NnTestSupport.assertMentions(assertThrows(IllegalStateException.class, monitor::beforeStep), "beforeStep");
            NnTestSupport.assertMentions(assertThrows(IllegalStateException.class, monitor::record), "record");
            monitor.afterStep();
            monitor.record();
        }

        @Test
        void lastNeedsARecord() {
            GradientMonitor monitor = new GradientMonitor(MLP.builder(2, 1).build(new Random(20)));
            NnTestSupport.assertMentions(assertThrows(IllegalStateException.class, monitor::last), "last");
        }

        @Test
        void thresholdsAreChecked() {
            Thresholds d = Thresholds.defaults();
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.withVanishing(0)), "GradientMonitor.Thresholds");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.withExploding(d.vanishing() / 2)), "GradientMonitor.Thresholds");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.withRelativeVanishing(1)), "GradientMonitor.Thresholds");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.withMaxUpdateRatio(Double.NaN)), "GradientMonitor.Thresholds");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withLogInterval(0));
            assertTrue(e.getMessage().contains("logInterval=0"), e.getMessage());
            assertEquals(5, d.withLogInterval(5).logInterval());
        }
    }

    @Nested
    class Logging {

        @Test
        void oneLinePerKindNamesTheLayersAndTheRemediesAndRepeatsOnlyAfterTheInterval() {
            MLP net = deep(Sigmoid::new, 0.01, 1);
            backward(net, 2);
            GradientMonitor monitor = new GradientMonitor(net, Thresholds.defaults().withLogInterval(3));
            String log = captureStandardError(() -> {
                for (int i = 0; i < 4; i++) {
                    monitor.record();
                }
            });
            List<String> lines = log.lines().filter(l -> l.contains("GradientMonitor")).collect(Collectors.toList());
            assertEquals(2, lines.size(), "steps 0 and 3 are logged, 1 and 2 suppressed:\n" + log);
            assertTrue(lines.get(0).contains("WARN"), lines.get(0));
            assertTrue(lines.get(0).contains("step 0: vanishing gradients in"), lines.get(0));
            assertTrue(lines.get(0).contains("'0' "), lines.get(0));
            assertTrue(lines.get(0).contains("Remedies: replace the Sigmoid activations by ReLU"), lines.get(0));
            assertTrue(lines.get(1).contains("step 3: "), lines.get(1));
            assertEquals(4, monitor.history().stream().filter(r -> !r.healthy()).count(), "the data keeps every step");
        }

        @Test
        void aHealthyNetworkLogsNothing() {
            Module net = MLP.builder(2, 8, 1).activation(Tanh::new).build(new Random(21));
            backward2d(net);
            GradientMonitor monitor = new GradientMonitor(net);
            String log = captureStandardError(() -> monitor.step(new SGD(net.parameters(), 0.01)));
            assertFalse(log.contains("GradientMonitor"), log);
        }
    }

    private static void backward2d(Module net) {
        Random random = new Random(99);
        Losses.mse(net.forward(Tensor.randn(random, 16, 2)), Tensor.randn(random, 16, 1)).backward();
    }

    private static double norm(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** slf4j-simple (the test backend) writes to whatever System.err is when it logs. */
    private static String captureStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
