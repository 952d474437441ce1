package dev.autograd;

import static dev.autograd.TensorAssertions.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * Gradient checkpointing ({@link Autograd#checkpoint}): the gradients equal those of the plain run exactly;
 * the recorded graph is smaller and holds fewer saved tensors (counted by walking {@link GradFn}s and
 * reading the nodes' saved tensors); the segment runs once in the forward and once more in the backward;
 * under {@code noGrad} it just runs; double backward through it with createGraph; and its errors.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class CheckpointTest {

    // ------------------------------------------------------------ a small graph inspector

    /** What a graph holds: its nodes and the distinct tensors they saved for backward. */
    record GraphStats(int nodes, Map<String, Integer> nodesByName, int savedTensors, long savedBytes,
                      int savedNonLeafTensors, long savedNonLeafBytes) {

        /** Walks the graph of {@code root} without recursion, counting nodes and the tensors they saved. */
        static GraphStats of(Tensor root) {
            Set<GradFn> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Storage> saved = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Storage> savedNonLeaf = Collections.newSetFromMap(new IdentityHashMap<>());
            Map<String, Integer> byName = new java.util.TreeMap<>();
            long bytes = 0;
            long nonLeafBytes = 0;
            Deque<GradFn> stack = new ArrayDeque<>();
            stack.push(root.gradFn());
            seen.add(root.gradFn());
            while (!stack.isEmpty()) {
                GradFn node = stack.pop();
                byName.merge(node.name(), 1, Integer::sum);
                for (Tensor t : savedTensors(node)) {
                    long size = (long) t.numel() * (t.dtype() == DType.FLOAT64 ? 8 : 4);
                    if (saved.add(t.storage)) {
                        bytes += size;
                    }
                    if (!t.isLeaf() && savedNonLeaf.add(t.storage)) {
                        nonLeafBytes += size;
                    }
                }
                for (GradFn next : node.nextFunctions()) {
                    if (next != null && seen.add(next)) {
                        stack.push(next);
                    }
                }
            }
            return new GraphStats(seen.size(), byName, saved.size(), bytes, savedNonLeaf.size(), nonLeafBytes);
        }

        /** The tensors a node keeps for backward: the package-private {@code Node.saved}, read by reflection. */
        static Tensor[] savedTensors(GradFn node) {
            try {
                Field f = Node.class.getDeclaredField("saved");
                f.setAccessible(true);
                return (Tensor[]) f.get(node);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot read Node.saved", e);
            }
        }
    }

    // ------------------------------------------------------------ an MLP segment

    /** A 3-layer tanh MLP: in = {x, w1, b1, w2, b2, w3, b3}. */
    static Tensor mlp(Tensor[] in) {
        Tensor h = in[0].matmul(in[1]).add(in[2]).tanh();
        h = h.matmul(in[3]).add(in[4]).tanh();
        return h.matmul(in[5]).add(in[6]);
    }

    /** Fresh leaves for {@link #mlp}: x [8, 4] (a constant), weights and biases requiring grad. */
    static Tensor[] mlpInputs(long seed) {
        Random r = new Random(seed);
        return new Tensor[] {Tensor.randn(r, 8, 4), Tensor.randn(r, 4, 16).requiresGrad(true),
            Tensor.randn(r, 16).requiresGrad(true), Tensor.randn(r, 16, 16).requiresGrad(true),
            Tensor.randn(r, 16).requiresGrad(true), Tensor.randn(r, 16, 3).requiresGrad(true),
            Tensor.randn(r, 3).requiresGrad(true)};
    }

    /** sum(out^2): pow saves its input, sum saves nothing. */
    static Tensor loss(Tensor out) {
        return out.pow(2).sum();
    }

    // ------------------------------------------------------------ gradients

    @Test
    void gradientsThroughACheckpointedMlpEqualThePlainRunExactly() {
        Tensor[] plain = mlpInputs(7);
        Tensor plainLoss = loss(mlp(plain));
        plainLoss.backward();

        Tensor[] ckpt = mlpInputs(7);
        Tensor ckptLoss = loss(Autograd.checkpoint(CheckpointTest::mlp, ckpt));
        ckptLoss.backward();

        assertEquals(plainLoss.item(), ckptLoss.item(), 0.0);
        assertNull(ckpt[0].grad(), "x does not require grad");
        for (int i = 1; i < plain.length; i++) {
            assertNotNull(ckpt[i].grad(), "input " + i);
            assertArrayEquals(plain[i].grad().toDoubleArray(), ckpt[i].grad().toDoubleArray(), 0.0,
                    "gradient of input " + i + " is bit-for-bit the plain one");
        }
    }

    @Test
    void gradientOfTheDataInputToo() {
        Tensor[] plain = mlpInputs(3);
        plain[0].requiresGrad(true);
        loss(mlp(plain)).backward();
        Tensor[] ckpt = mlpInputs(3);
        ckpt[0].requiresGrad(true);
        loss(Autograd.checkpoint(CheckpointTest::mlp, ckpt)).backward();
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i].grad().toDoubleArray(), ckpt[i].grad().toDoubleArray(), 0.0, "input " + i);
        }
    }

    @Test
    void twoCheckpointedSegmentsInARowAndOnlySomeInputsRequiringGrad() {
        Tensor[] plain = mlpInputs(11);
        plain[3].requiresGrad(false);       // a frozen layer
        Tensor[] ckpt = mlpInputs(11);
        ckpt[3].requiresGrad(false);
        Function<Tensor[], Tensor> first = in -> in[0].matmul(in[1]).add(in[2]).tanh();
        Function<Tensor[], Tensor> second = in -> in[0].matmul(in[1]).add(in[2]).tanh();

        Tensor hp = second.apply(new Tensor[] {first.apply(new Tensor[] {plain[0], plain[1], plain[2]}), plain[3], plain[4]});
        hp.sum().backward();
        Tensor h1 = Autograd.checkpoint(first, ckpt[0], ckpt[1], ckpt[2]);
        Tensor hc = Autograd.checkpoint(second, h1, ckpt[3], ckpt[4]);
        hc.sum().backward();

        assertNull(ckpt[3].grad(), "the frozen weight gets no gradient");
        for (int i : new int[] {1, 2, 4}) {
            assertArrayEquals(plain[i].grad().toDoubleArray(), ckpt[i].grad().toDoubleArray(), 0.0, "input " + i);
        }
    }

    /** A segment whose gradient reads its own intermediate values (the tanh output), as most do. */
    static Tensor checkpointedLayer(Tensor[] in) {
        return Autograd.checkpoint(s -> s[0].matmul(s[1]).tanh().mul(s[0].sum()), in[0], in[1]);
    }

    @Test
    void gradCheckThroughACheckpoint() {
        Random r = new Random(5);
        GradCheck.assertGradientsMatch(CheckpointTest::checkpointedLayer, Tensor.randn(r, 2, 3).requiresGrad(true),
                Tensor.randn(r, 3, 2).requiresGrad(true));
    }

    @Test
    void secondOrderGradCheckThroughACheckpoint() {
        Random r = new Random(5);
        GradCheck.assertSecondOrderGradientsMatch(CheckpointTest::checkpointedLayer,
                Tensor.randn(r, 2, 3).requiresGrad(true), Tensor.randn(r, 3, 2).requiresGrad(true));
    }

    // ------------------------------------------------------------ memory

    @Test
    void theCheckpointedGraphRecordsFarFewerNodes() {
        GraphStats plain = GraphStats.of(loss(mlp(mlpInputs(1))));
        GraphStats ckpt = GraphStats.of(loss(Autograd.checkpoint(CheckpointTest::mlp, mlpInputs(1))));
        // plain: sum, pow, 3 x (add, matmul), 2 x tanh, and 6 accumulators
        assertEquals(Integer.valueOf(3), plain.nodesByName().get("matmul"), plain.toString());
        assertEquals(Integer.valueOf(2), plain.nodesByName().get("tanh"), plain.toString());
        // checkpointed: sum, pow, one checkpoint node, 6 accumulators
        assertEquals(Integer.valueOf(1), ckpt.nodesByName().get("checkpoint"), ckpt.toString());
        assertNull(ckpt.nodesByName().get("matmul"), "nothing of the segment is recorded: " + ckpt);
        assertNull(ckpt.nodesByName().get("tanh"), ckpt.toString());
        assertEquals(plain.nodes() - 7, ckpt.nodes(), "7 nodes of the segment became 1: " + plain + " vs " + ckpt);
    }

    @Test
    void theCheckpointedGraphHoldsNoActivationsOfTheSegment() {
        GraphStats plain = GraphStats.of(loss(mlp(mlpInputs(2))));
        GraphStats ckpt = GraphStats.of(loss(Autograd.checkpoint(CheckpointTest::mlp, mlpInputs(2))));
        // plain: the hidden activations (two [8, 16] tanh outputs, each saved by tanh and the next matmul) and
        // the [8, 3] output saved by pow; checkpointed: only that output, the segment's inputs are leaves
        assertEquals(3, plain.savedNonLeafTensors(), plain.toString());
        assertEquals((2 * 8 * 16 + 8 * 3) * 8L, plain.savedNonLeafBytes(), plain.toString());
        assertEquals(1, ckpt.savedNonLeafTensors(), ckpt.toString());
        assertEquals(8 * 3 * 8L, ckpt.savedNonLeafBytes(), ckpt.toString());
        assertTrue(ckpt.savedBytes() < plain.savedBytes(), plain + " vs " + ckpt);
    }

    @Test
    void theSavingGrowsWithTheDepthOfTheSegment() {
        // the saving grows with the depth of the segment: 10 layers hold 10 activations plainly, 0 checkpointed
        Random r = new Random(9);
        Tensor x = Tensor.randn(r, 4, 8);
        Tensor[] ws = new Tensor[10];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = Tensor.randn(r, 8, 8).mul(0.3).requiresGrad(true);
        }
        Function<Tensor[], Tensor> deep = in -> {
            Tensor h = in[0];
            for (int i = 1; i < in.length; i++) {
                h = h.matmul(in[i]).tanh();
            }
            return h;
        };
        Tensor[] args = new Tensor[11];
        args[0] = x;
        System.arraycopy(ws, 0, args, 1, 10);
        GraphStats plain = GraphStats.of(deep.apply(args).sum());
        GraphStats ckpt = GraphStats.of(Autograd.checkpoint(deep, args).sum());
        assertEquals(10, plain.savedNonLeafTensors(), plain.toString());
        assertEquals(0, ckpt.savedNonLeafTensors(), ckpt.toString());
        assertEquals(2 + 10, ckpt.nodes(), "sum, checkpoint and 10 accumulators, no more: " + ckpt);
    }

    // ------------------------------------------------------------ how often the segment runs

    @Test
    void theSegmentRunsOnceInTheForwardAndOnceMoreInTheBackward() {
        AtomicInteger runs = new AtomicInteger();
        List<Boolean> recording = new ArrayList<>();
        Function<Tensor[], Tensor> segment = in -> {
            runs.incrementAndGet();
            recording.add(Autograd.isGradEnabled());
            return in[0].exp();
        };
        Tensor x = leaf(new double[] {0, 1}, 2);
        Tensor y = Autograd.checkpoint(segment, x);
        assertEquals(1, runs.get());
        assertEquals("checkpoint", y.gradFn().name());
        assertTrue(y.gradFn().formula().contains("recomputes"), y.gradFn().formula());
        y.sum().backward();
        assertEquals(2, runs.get());
        assertEquals(List.of(false, true), recording, "the forward run records nothing, the backward rerun does");
        assertArrayEquals(new double[] {1, Math.E}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void underNoGradTheSegmentJustRuns() {
        AtomicInteger runs = new AtomicInteger();
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = Autograd.checkpoint(in -> {
                runs.incrementAndGet();
                return in[0].mul(3.0);
            }, x);
        }
        assertEquals(1, runs.get());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertArrayEquals(new double[] {3, 6}, y.toDoubleArray(), 0);
    }

    @Test
    void withoutInputsThatRequireGradTheSegmentJustRuns() {
        AtomicInteger runs = new AtomicInteger();
        Tensor y = Autograd.checkpoint(in -> {
            runs.incrementAndGet();
            return in[0].add(in[1]);
        }, Tensor.ones(2), Tensor.ones(2));
        assertEquals(1, runs.get());
        assertNull(y.gradFn());
        assertArrayEquals(new double[] {2, 2}, y.toDoubleArray(), 0);
    }

    @Test
    void retainGraphReRunsTheSegmentForEachBackward() {
        AtomicInteger runs = new AtomicInteger();
        Tensor x = leaf(new double[] {2}, 1);
        Tensor y = Autograd.checkpoint(in -> {
            runs.incrementAndGet();
            return in[0].pow(2);
        }, x).sum();
        y.backward(null, true, false);
        y.backward();
        assertEquals(3, runs.get());
        assertArrayEquals(new double[] {8}, x.grad().toDoubleArray(), 0, "4 + 4: gradients accumulate");
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("checkpoint:") && e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void tensorsCapturedByTheSegmentGetNoGradient() {
        // documented: pass parameters as inputs; a captured one is a constant of the recomputation
        Tensor w = leaf(new double[] {3}, 1);
        Tensor x = leaf(new double[] {2}, 1);
        Tensor y = Autograd.checkpoint(in -> in[0].mul(w), x).sum();
        y.backward();
        assertArrayEquals(new double[] {3}, x.grad().toDoubleArray(), 0);
        assertNull(w.grad(), "captured, not passed: no gradient (pass it as an input)");
    }

    @Test
    void nestedCheckpointsGiveThePlainGradients() {
        Tensor[] plain = mlpInputs(4);
        loss(mlp(plain)).backward();
        Tensor[] ckpt = mlpInputs(4);
        Function<Tensor[], Tensor> outer = in -> {
            Tensor h = Autograd.checkpoint(s -> s[0].matmul(s[1]).add(s[2]).tanh(), in[0], in[1], in[2]);
            h = h.matmul(in[3]).add(in[4]).tanh();
            return h.matmul(in[5]).add(in[6]);
        };
        loss(Autograd.checkpoint(outer, ckpt)).backward();
        for (int i = 1; i < plain.length; i++) {
            assertArrayEquals(plain[i].grad().toDoubleArray(), ckpt[i].grad().toDoubleArray(), 0.0, "input " + i);
        }
    }

    @Test
    void anInputModifiedInPlaceBeforeBackwardIsAnErrorNamingCheckpoint() {
        Tensor w = leaf(new double[] {1, 2}, 2);
        Tensor y = Autograd.checkpoint(in -> in[0].mul(in[0]), w).sum();
        try (var scope = Autograd.noGrad()) {
            w.subInPlace(0.5);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("checkpoint:") && e.getMessage().contains("[2]")
                && e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void anExceptionInTheSegmentDuringBackwardPropagates() {
        AtomicInteger runs = new AtomicInteger();
        Tensor x = leaf(new double[] {1}, 1);
        Tensor y = Autograd.checkpoint(in -> {
            if (runs.incrementAndGet() > 1) {
                throw new IllegalStateException("not deterministic");
            }
            return in[0].exp();
        }, x).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("not deterministic", e.getMessage());
    }

    // ------------------------------------------------------------ higher order

    @Test
    void doubleBackwardThroughACheckpointWithCreateGraph() {
        Function<Tensor[], Tensor> segment = in -> in[0].pow(3).mul(in[1]).sin();
        double[] xs = {0.3, -0.8};
        double[] ws = {1.5, 0.5};

        Tensor xp = leaf(xs.clone(), 2);
        Tensor wp = leaf(ws.clone(), 2);
        List<Tensor> gp = Autograd.grad(List.of(segment.apply(new Tensor[] {xp, wp}).sum()), List.of(xp, wp),
                null, true, true);
        List<Tensor> hp = Autograd.grad(List.of(gp.get(0).sum()), List.of(xp, wp), null, false, false);

        Tensor xc = leaf(xs.clone(), 2);
        Tensor wc = leaf(ws.clone(), 2);
        List<Tensor> gc = Autograd.grad(List.of(Autograd.checkpoint(segment, xc, wc).sum()), List.of(xc, wc),
                null, true, true);
        assertTrue(gc.get(0).requiresGrad(), "createGraph through the checkpoint gives a differentiable gradient");
        List<Tensor> hc = Autograd.grad(List.of(gc.get(0).sum()), List.of(xc, wc), null, false, false);

        for (int i = 0; i < 2; i++) {
            assertArrayEquals(gp.get(i).toDoubleArray(), gc.get(i).toDoubleArray(), 1e-15, "first order, input " + i);
            assertArrayEquals(hp.get(i).toDoubleArray(), hc.get(i).toDoubleArray(), 1e-15, "second order, input " + i);
        }
        // and by hand: d/dx (3 x^2 w cos(x^3 w)) = 6 x w cos(u) - 9 x^4 w^2 sin(u), u = x^3 w
        for (int i = 0; i < 2; i++) {
            double u = Math.pow(xs[i], 3) * ws[i];
            double expected = 6 * xs[i] * ws[i] * Math.cos(u) - 9 * Math.pow(xs[i], 4) * ws[i] * ws[i] * Math.sin(u);
            assertEquals(expected, hc.get(0).get(i), 1e-12);
        }
    }

    @Test
    void doubleBackwardThroughACheckpointWithBackward() {
        // x^3: the gradient 3 x^2 g reads only the leaf x, not the recomputed graph, so this works despite the bug
        Tensor x = leaf(new double[] {2}, 1);
        Autograd.checkpoint(in -> in[0].pow(3), x).sum().backward(null, true, true);
        Tensor g = x.grad();
        assertArrayEquals(new double[] {12}, g.toDoubleArray(), 0);
        x.zeroGrad();
        g.sum().backward();
        assertArrayEquals(new double[] {12}, x.grad().toDoubleArray(), 1e-12, "6 x");
    }

    @Test
    void hessianThroughACheckpointEqualsThePlainOne() {
        Tensor a = Tensor.of(new double[] {1, 2, 0.5, -1}, 2, 2);
        Function<Tensor, Tensor> plain = t -> t.matmul(a).tanh().sum();
        Function<Tensor, Tensor> ckpt = t -> Autograd.checkpoint(in -> in[0].matmul(a).tanh(), t).sum();
        Tensor x = Tensor.of(new double[] {0.3, -0.6}, 2);
        assertArrayEquals(Functional.hessian(plain, x).toDoubleArray(), Functional.hessian(ckpt, x).toDoubleArray(),
                1e-15);
        Tensor v = Tensor.of(new double[] {1, 2}, 2);
        assertArrayEquals(Functional.hvp(plain, x, v).toDoubleArray(), Functional.hvp(ckpt, x, v).toDoubleArray(),
                1e-15);
    }
}
