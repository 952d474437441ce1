package dev.autograd.nn.optim;

import dev.autograd.nn.NnTestSupport;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Module;
import dev.autograd.nn.SafeTensors;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving an optimizer's state and restoring it resumes training exactly; bad states are refused. */
class OptimizerStateTest {

    @TempDir
    Path dir;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("SGD momentum nesterov", (Function<List<Tensor>, Optimizer>) ps -> new SGD(ps, 0.05, 0.9, 0, 1e-3, true)),
                Arguments.of("SGD plain", (Function<List<Tensor>, Optimizer>) ps -> new SGD(ps, 0.05)),
                Arguments.of("Adam", (Function<List<Tensor>, Optimizer>) ps -> new Adam(ps, 0.01)),
                Arguments.of("AdamW", (Function<List<Tensor>, Optimizer>) ps -> new AdamW(ps, 0.01)),
                Arguments.of("RMSprop centered momentum", (Function<List<Tensor>, Optimizer>) ps -> new RMSprop(ps, 0.01, 0.9, 1e-8, 0, 0.5, true)),
                Arguments.of("Adagrad", (Function<List<Tensor>, Optimizer>) ps -> new Adagrad(ps, 0.1, 0.01, 0, 0.1, 1e-10)));
    }

    private static final Tensor X = Tensor.randn(new Random(1), 8, 2);
    private static final Tensor Y = Tensor.randn(new Random(2), 8, 1);

    private static Module model() {
        return MLP.builder(2, 4, 1).build(new Random(3));
    }

    private static void train(Module m, Optimizer opt, int steps) {
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            Losses.mse(m.forward(X), Y).backward();
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void restoredStateResumesIdentically(String name, Function<List<Tensor>, Optimizer> make) {
        Module a = model();
        Optimizer optA = make.apply(a.parameters());
        StepLR scheduleA = new StepLR(optA, 2, 0.5);
        for (int i = 0; i < 3; i++) {
            train(a, optA, 1);
            scheduleA.step();
        }
        Path modelFile = dir.resolve("model.safetensors");
        Path stateFile = dir.resolve("optimizer.safetensors");
        SafeTensors.save(a, modelFile);
        SafeTensors.write(optA.state(), Map.of("schedule_step", Integer.toString(scheduleA.stepCount())), stateFile);
        for (int i = 0; i < 3; i++) {
            train(a, optA, 1);
            scheduleA.step();
        }

        Module b = model();
        Optimizer optB = make.apply(b.parameters());
        StepLR scheduleB = new StepLR(optB, 2, 0.5);
        SafeTensors.load(b, modelFile);
        SafeTensors.Contents saved = SafeTensors.read(stateFile);
        optB.loadState(saved.tensors());
        scheduleB.setStepCount(Integer.parseInt(saved.metadata().get("schedule_step")));
        for (int i = 0; i < 3; i++) {
            train(b, optB, 1);
            scheduleB.step();
        }
        for (int p = 0; p < a.parameters().size(); p++) {
            assertArrayEquals(a.parameters().get(p).toDoubleArray(), b.parameters().get(p).toDoubleArray(), 0.0,
                    name + ": parameter " + p);
        }
        assertEquals(optA.learningRate(), optB.learningRate());
    }

    @Test
    void stateIsASnapshotWithDocumentedKeys() {
        Module m = model();
        Optimizer opt = new Adam(m.parameters(), 0.01);
        assertEquals(List.of("lr"), List.copyOf(opt.state().keySet()));
        train(m, opt, 1);
        Map<String, Tensor> state = opt.state();
        assertEquals(List.of("lr", "param.0.step", "param.0.exp_avg", "param.0.exp_avg_sq"),
                List.copyOf(state.keySet()).subList(0, 4));
        assertEquals(1 + 4 * 3, state.size());
        double[] m0 = state.get("param.0.exp_avg").toDoubleArray();
        train(m, opt, 1);
        assertArrayEquals(m0, state.get("param.0.exp_avg").toDoubleArray(), 0.0, "later steps do not change a snapshot");
        assertEquals(1.0, state.get("param.0.step").item());
    }

    @Test
    void loadStateReportsEveryProblemAndChangesNothing() {
        Module m = model();
        Optimizer adam = new Adam(m.parameters(), 0.01);
        train(m, adam, 1);
        Map<String, Tensor> state = new HashMap<>(adam.state());
        state.put("param.0.exp_avg", Tensor.zeros(3));
        state.remove("param.1.exp_avg_sq");
        state.put("param.9.exp_avg", Tensor.zeros(1));
        state.put("momentum", Tensor.zeros(1));
        Optimizer fresh = new Adam(model().parameters(), 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh.loadState(state));
        String msg = e.getMessage();
        assertTrue(msg.contains("'param.0.exp_avg' is FLOAT64 [3] but parameter 0 is FLOAT64 [4, 2]"), msg);
        assertTrue(msg.contains("parameter 1 has taken steps but lacks [exp_avg_sq]"), msg);
        assertTrue(msg.contains("unexpected key 'param.9.exp_avg'"), msg);
        assertTrue(msg.contains("unexpected key 'momentum'"), msg);
        assertEquals(0.5, fresh.learningRate());
        assertEquals(0, fresh.stepCount(0));

        Optimizer sgd = new SGD(model().parameters(), 0.1, 0.9);
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> sgd.loadState(adam.state()));
        assertTrue(kind.getMessage().contains("SGD keeps [momentum_buffer] per parameter"), kind.getMessage());
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> sgd.loadState(Map.of())), "loadState");
    }

    @Test
    void constructorsValidate() {
        Tensor p = Tensor.zeros(2).requiresGrad(true);
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1)), "SGD");
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p, p), 0.1));
        assertEquals("SGD: parameter 1 is the same tensor as parameter 0; give each parameter once", dup.getMessage());
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.zeros(2)), 0.1)), "SGD");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p.mul(2)), 0.1)), "SGD");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), -0.1)), "SGD");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), 0.1, 0, 0, 0, true)), "SGD");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 0.1, 1.0, 0.999, 1e-8, 0)), "Adam");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new RMSprop(List.of(p), 0.1, -0.1, 1e-8, 0, 0, false)), "RMSprop");
        Optimizer opt = new Adam(List.of(p));
        assertEquals(1e-3, opt.learningRate());
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(Double.NaN)), "Adam");
        assertEquals(0.01, new AdamW(List.of(p)).toString().contains("weightDecay=0.01") ? 0.01 : -1);
        assertEquals(0.01, new RMSprop(List.of(p)).learningRate());
        assertEquals(0.01, new Adagrad(List.of(p)).learningRate());
    }

    @Test
    void float32ParametersAreOptimisedInFloat32() {
        Module m = model().to(DType.FLOAT32);
        Optimizer opt = new Adam(m.parameters(), 0.01);
        Tensor x = X.to(DType.FLOAT32);
        Tensor y = Y.to(DType.FLOAT32);
        double first = 0;
        double last = 0;
        for (int i = 0; i < 50; i++) {
            opt.zeroGrad();
            Tensor loss = Losses.mse(m.forward(x), y);
            loss.backward();
            opt.step();
            first = i == 0 ? loss.item() : first;
            last = loss.item();
        }
        assertTrue(last < first, first + " -> " + last);
        m.parameters().forEach(p -> assertEquals(DType.FLOAT32, p.dtype()));
        opt.state().entrySet().stream().filter(e -> e.getKey().endsWith("exp_avg"))
                .forEach(e -> assertEquals(DType.FLOAT32, e.getValue().dtype()));
    }
}
