package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Module tree: registration, names, modes, dtype conversion, state dicts, functional calls, printing. */
class ModuleTest {

    /** A model with a nested child, a buffer and a tied weight, like a user would write. */
    static final class Net extends Module {
        final Linear encoder;
        final Sequential head;

        Net(Random rng) {
            registerParameter("scale", Tensor.ones(3));
            registerBuffer("steps", Tensor.zeros(1));
            encoder = registerModule("encoder", new Linear(2, 3, rng));
            head = registerModule("head", new Sequential(new Tanh(), new Linear(3, 1, rng), new BatchNorm1d(1)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(encoder.forward(x).mul(parameter("scale")));
        }
    }

    @Test
    void namesAreDottedPathsInRegistrationOrder() {
        Net net = new Net(new Random(1));
        assertEquals(List.of("scale", "encoder.weight", "encoder.bias", "head.1.weight", "head.1.bias",
                "head.2.weight", "head.2.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(List.of("steps", "head.2.running_mean", "head.2.running_var"),
                new ArrayList<>(net.namedBuffers().keySet()));
        assertEquals(List.of("scale", "steps", "encoder.weight", "encoder.bias", "head.1.weight", "head.1.bias",
                "head.2.weight", "head.2.bias", "head.2.running_mean", "head.2.running_var"),
                new ArrayList<>(net.stateDict().keySet()));
        assertEquals(List.of("", "encoder", "head", "head.0", "head.1", "head.2"),
                new ArrayList<>(net.namedModules().keySet()));
        assertEquals(List.of("encoder", "head"), new ArrayList<>(net.namedChildren().keySet()));
    }

    @Test
    void parametersRequireGradAndBuffersDoNot() {
        Net net = new Net(new Random(2));
        net.parameters().forEach(p -> assertTrue(p.requiresGrad() && p.isLeaf()));
        net.namedBuffers().values().forEach(b -> assertFalse(b.requiresGrad()));
        assertEquals(3 + (6 + 3) + (3 + 1) + (1 + 1), net.parameterCount());
    }

    @Test
    void tiedParametersAreListedOnce() {
        Linear shared = new Linear(2, 2, new Random(3));
        Sequential twice = new Sequential(shared, shared);
        assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(twice.namedParameters().keySet()));
        assertEquals(2, twice.parameters().size());
        assertEquals(4, twice.stateDict().size(), "a state dict names a tied tensor under every name");
    }

    @Test
    void zeroGradForgetsEveryGradient() {
        Net net = new Net(new Random(4));
        Losses.mse(net.forward(Tensor.randn(new Random(5), 4, 2)), Tensor.zeros(4, 1)).backward();
        net.parameters().forEach(p -> assertTrue(p.grad() != null));
        net.zeroGrad();
        net.parameters().forEach(p -> assertNull(p.grad()));
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Net net = new Net(new Random(6));
        assertTrue(net.isTraining());
        net.eval();
        net.namedModules().values().forEach(m -> assertFalse(m.isTraining()));
        net.train();
        net.namedModules().values().forEach(m -> assertTrue(m.isTraining()));
    }

    @Test
    void toConvertsParametersAndBuffersKeepingNamesAndTies() {
        Linear shared = new Linear(2, 2, new Random(7));
        Sequential model = new Sequential(shared, new BatchNorm1d(2), shared);
        double[] before = shared.weight().toDoubleArray();
        model.to(DType.FLOAT32);
        model.stateDict().values().forEach(t -> assertEquals(DType.FLOAT32, t.dtype()));
        model.parameters().forEach(p -> assertTrue(p.requiresGrad() && p.isLeaf()));
        assertEquals(4, model.parameters().size(), "the tie survives the conversion: 2 Linear + 2 BatchNorm1d tensors");
        assertSame(model.get(0), model.get(2));
        float[] after = shared.weight().toFloatArray();
        for (int i = 0; i < before.length; i++) {
            assertEquals((float) before[i], after[i]);
        }
        Tensor y = model.forward(Tensor.randn(new Random(8), DType.FLOAT32, 3, 2));
        assertEquals(DType.FLOAT32, y.dtype());
        Tensor w = shared.weight();
        model.to(DType.FLOAT32);
        assertSame(w, shared.weight(), "a tensor already of the dtype is kept");
    }

    @Test
    void functionalCallUsesReplacementsAndRestoresOriginals() {
        Linear layer = new Linear(2, 1, new Random(9));
        Tensor weight = layer.weight();
        Tensor x = Tensor.of(new double[] {1, 2}, 1, 2);
        Tensor y = layer.functionalCall(Map.of("weight", Tensor.of(new double[] {10, 100}, 1, 2),
                "bias", Tensor.of(new double[] {0.5}, 1)), x);
        assertEquals(210.5, y.item(), 1e-12);
        assertSame(weight, layer.weight());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.functionalCall(Map.of("wieght", Tensor.zeros(1, 2), "bias", Tensor.zeros(3)), x));
        assertTrue(e.getMessage().contains("unknown name 'wieght'"), e.getMessage());
        assertTrue(e.getMessage().contains("'bias' is FLOAT64 [1] but the replacement is FLOAT64 [3]"), e.getMessage());
        NnTestSupport.assertMentions(assertThrows(RuntimeException.class, () -> layer.functionalCall(Map.of("weight", Tensor.zeros(1, 2)),
                Tensor.zeros(1, 5))), "Linear");
        assertSame(weight, layer.weight(), "restored after an exception in forward");
    }

    @Test
    void loadStateDictCopiesInPlaceAndReportsEveryMismatch() {
        Net a = new Net(new Random(10));
        Net b = new Net(new Random(11));
        Tensor bWeight = b.encoder.weight();
        b.loadStateDict(a.stateDict());
        assertSame(bWeight, b.encoder.weight(), "identity kept");
        assertArrayEquals(a.encoder.weight().toDoubleArray(), b.encoder.weight().toDoubleArray());

        Map<String, Tensor> bad = new HashMap<>(a.stateDict());
        bad.remove("encoder.bias");
        bad.put("extra", Tensor.zeros(1));
        bad.put("scale", Tensor.zeros(4));
        bad.put("head.1.weight", Tensor.zeros(DType.FLOAT32, 1, 3));
        double[] kept = b.encoder.weight().toDoubleArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        String m = e.getMessage();
        assertTrue(m.contains("missing keys (1): [encoder.bias]"), m);
        assertTrue(m.contains("unexpected keys (1): [extra]"), m);
        assertTrue(m.contains("shape of 'scale': expected [3], found [4]"), m);
        assertTrue(m.contains("dtype of 'head.1.weight': expected FLOAT64, found FLOAT32"), m);
        assertArrayEquals(kept, b.encoder.weight().toDoubleArray(), "nothing copied on a mismatch");
    }

    @Test
    void registrationRejectsBadNamesAndTensors() {
        class Bad extends Module {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        Bad m = new Bad();
        m.registerParameter("w", Tensor.zeros(2));
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerParameter("w", Tensor.zeros(2))), "Module");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerBuffer("a.b", Tensor.zeros(2))), "Module");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerModule("", new ReLU())), "Module");
        Tensor leaf = Tensor.zeros(2).requiresGrad(true);
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerParameter("v", leaf.mul(2))), "registerParameter");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerBuffer("r", leaf)), "registerBuffer");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> m.registerModule("self", m)), "Module");
    }

    @Test
    void toStringPrintsTheTreeWithShapesAndCounts() {
        MLP mlp = MLP.builder(2, 16, 1).build(new Random(12));
        String expected = String.join("\n",
                "MLP(sizes=[2, 16, 1]",
                "  (0): Linear(in=2, out=16, bias=true)  weight [16, 2], bias [16]  (48 params)",
                "  (1): ReLU()",
                "  (2): Linear(in=16, out=1, bias=true)  weight [1, 16], bias [1]  (17 params)",
                ")  (65 params)");
        assertEquals(expected, mlp.toString());
        BatchNorm1d bn = new BatchNorm1d(4);
        assertEquals("BatchNorm1d(4, eps=1.0E-5, momentum=0.1, affine=true)  weight [4], bias [4], running_mean [4] buffer,"
                + " running_var [4] buffer  (8 params)", bn.toString());
        bn.weight().requiresGrad(false);
        assertTrue(bn.toString().contains("weight [4] frozen"));
    }

    @Test
    void applyVisitsEveryModule() {
        Net net = new Net(new Random(13));
        List<String> seen = new ArrayList<>();
        net.apply(m -> seen.add(m.getClass().getSimpleName()));
        assertEquals(List.of("Net", "Linear", "Sequential", "Tanh", "Linear", "BatchNorm1d"), seen);
    }

    @Test
    void parameterHelperMakesFreshLeaves() {
        Tensor source = Tensor.ones(2).requiresGrad(true);
        Tensor derived = source.mul(3);
        Tensor p = Parameter.of(derived);
        assertTrue(p.isLeaf() && p.requiresGrad());
        assertNotSame(derived, p);
        assertArrayEquals(new double[] {3, 3}, p.toDoubleArray());
        assertArrayEquals(new int[] {2, 2}, Parameter.of(new double[] {1, 2, 3, 4}, 2, 2).shape());
    }
}
