package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How backward runs: accumulation, shared subgraphs, deep chains, freed graphs, grad modes and threads. */
@SuppressWarnings("try") // scopes are opened for their effect only
class BackwardMechanicsTest {

    @Test
    void gradAccumulatesOverTwoBackwardCalls() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        x.mul(3.0).sum().backward();
        assertGrad(x, shape(2), 3, 3);
        // a second, separate graph adds into the same .grad
        x.mul(3.0).sum().backward();
        assertGrad(x, shape(2), 6, 6);
    }

    @Test
    void zeroGradClearsTheGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        assertNull(x.grad(), "no grad before any backward");
        x.sum().backward();
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(2.0).sum().backward();
        assertGrad(x, shape(2), 2, 2);
    }

    @Test
    void inputUsedTwiceInOneOp() {
        Tensor x = leaf(new double[] {3, -1.5}, 2);
        // d(x*x)/dx = 2x: both operand slots send their gradient to the same leaf
        x.mul(x).sum().backward();
        assertGrad(x, shape(2), 6, -3);
    }

    @Test
    void diamondGraph() {
        Tensor x = leaf(new double[] {2}, new int[0]);
        Tensor a = x.mul(2.0);
        Tensor b = x.mul(3.0);
        Tensor y = a.mul(b);
        // y = 6 x^2, dy/dx = 12 x = 24; both paths must be summed before x's grad is final
        assertTensor(y, shape(), 24);
        y.backward();
        assertGrad(x, shape(), 24);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chainOf100000OpsDoesNotOverflowTheStack() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<double[]> grads = new AtomicReference<>();
        // a plain thread with the default stack size: a recursive backward would overflow it
        Thread worker = new Thread(() -> {
            try {
                Tensor x = leaf(new double[] {1.5}, new int[0]);
                Tensor y = x;
                for (int i = 0; i < 100_000; i++) {
                    y = y.mul(1.0000001);
                }
                y.backward();
                Tensor z = x;
                for (int i = 0; i < 100_000; i++) {
                    z = z.add(1.0);
                }
                z.backward();
                grads.set(new double[] {x.grad().item()});
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "deep-chain");
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw new AssertionError("backward of a 100,000-op chain failed: " + failure.get(), failure.get());
        }
        // d/dx (x * c^100000) = c^100000 ~ 1.01005, plus 1 from the chain of adds
        double expected = Math.pow(1.0000001, 100_000) + 1.0;
        assertEquals(expected, grads.get()[0], 1e-9);
    }

    @Test
    void backwardOfNonScalarNeedsAGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertNotNull(e.getMessage());
    }

    @Test
    void backwardOnATensorThatDoesNotRequireGrad() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        assertThrows(IllegalStateException.class, () -> x.sum().backward());
    }

    @Test
    void secondBackwardThroughAFreedGraphFails() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor w = leaf(new double[] {3, 4}, 2);
        // mul saves both operands for backward; the first backward frees them
        Tensor y = x.mul(w).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void retainGraphAllowsASecondBackwardAndGradsAccumulate() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor w = leaf(new double[] {3, 4}, 2);
        Tensor y = x.mul(w).sum();
        y.backward(Tensor.onesLike(y), true, false);
        assertGrad(x, shape(2), 3, 4);
        y.backward(Tensor.onesLike(y), true, false);
        assertGrad(x, shape(2), 6, 8);
        assertGrad(w, shape(2), 2, 4);
    }

    @Test
    void backwardWithAGivenUpstreamGradient() {
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor y = x.mul(3.0);
        y.backward(Tensor.of(new double[] {1, 0, -1, 0.5}, 2, 2));
        // vector-Jacobian product: 3 * upstream
        assertGrad(x, shape(2, 2), 3, 0, -3, 1.5);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        assertTrue(Autograd.isGradEnabled());
        Tensor y;
        try (Autograd.Scope scope = Autograd.noGrad()) {
            assertFalse(Autograd.isGradEnabled());
            y = x.mul(2.0).add(x);
        }
        assertTrue(Autograd.isGradEnabled(), "closing the scope restores recording");
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertTensor(y, shape(2), 3, 6);
        assertTrue(x.mul(2.0).requiresGrad(), "ops outside the scope are recorded again");
    }

    @Test
    void nestedScopesRestoreTheirOuterMode() {
        Tensor x = leaf(new double[] {1}, 1);
        try (Autograd.Scope outer = Autograd.noGrad()) {
            try (Autograd.Scope inner = Autograd.enableGrad()) {
                assertTrue(Autograd.isGradEnabled());
                assertTrue(x.mul(2.0).requiresGrad());
                try (Autograd.Scope innermost = Autograd.noGrad()) {
                    assertFalse(Autograd.isGradEnabled());
                }
                assertTrue(Autograd.isGradEnabled());
            }
            assertFalse(Autograd.isGradEnabled());
            assertFalse(x.mul(2.0).requiresGrad());
        }
        assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void detachRecordsNothingAndKeepsValues() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(3.0);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        assertTrue(d.isLeaf());
        assertArrayEquals(y.toDoubleArray(), d.toDoubleArray(), 0.0);
        assertArrayEquals(y.shape(), d.shape());
        // a product with the detached copy only differentiates the live factor: d(y * d)/dx = 3 d
        y.mul(d).sum().backward();
        assertGrad(x, shape(2), 9, 18);
    }

    @Test
    void leavesAndGradFns() {
        Tensor a = leaf(new double[] {1, 2}, 2);
        Tensor b = leaf(new double[] {3, 4}, 2);
        Tensor c = Tensor.of(new double[] {5, 6}, 2);
        Tensor m = a.mul(b);
        Tensor y = m.add(c);
        assertTrue(a.isLeaf());
        assertTrue(c.isLeaf());
        assertFalse(m.isLeaf());
        assertNull(a.gradFn(), "a leaf has no gradFn");
        assertEquals("mul", m.gradFn().name());
        assertEquals("add", y.gradFn().name());
        assertEquals("sum", y.sum().gradFn().name());
        // one next function per input, in argument order; null for the constant c
        List<GradFn> next = y.gradFn().nextFunctions();
        assertEquals(2, next.size());
        assertNotNull(next.get(0));
        assertEquals("mul", next.get(0).name());
        assertNull(next.get(1));
        assertTrue(y.requiresGrad());
    }

    @Test
    void retainGradKeepsANonLeafGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(2.0).retainGrad();
        Tensor y = h.mul(h).sum();
        y.backward();
        // dy/dh = 2h = [4, 8]; dy/dx = 2h * 2 = [8, 16]
        assertGrad(h, shape(2), 4, 8);
        assertGrad(x, shape(2), 8, 16);
    }

    @Test
    void nonLeafGradIsNullWithoutRetainGrad() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(2.0);
        h.mul(h).sum().backward();
        assertNull(h.grad());
        assertNotNull(x.grad());
    }

    @Test
    void autogradGradReturnsGradientsWithoutTouchingGrad() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor w = leaf(new double[] {3, 4}, 2);
        Tensor y = x.mul(w).sum();
        List<Tensor> g = Autograd.grad(List.of(y), List.of(x, w), null, false, false);
        assertEquals(2, g.size());
        assertTensor(g.get(0), shape(2), 3, 4);
        assertTensor(g.get(1), shape(2), 1, 2);
        assertNull(x.grad(), "Autograd.grad must not accumulate into .grad");
        assertNull(w.grad());
    }

    @Test
    void autogradGradWithUpstreamAndNonLeafInput() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(x);
        Tensor y = h.mul(3.0);
        // d(y . g)/dh = 3 g and d(y . g)/dx = 3 g * 2x
        List<Tensor> g = Autograd.grad(List.of(y), List.of(h, x),
                List.of(Tensor.of(new double[] {1, 10}, 2)), false, false);
        assertTensor(g.get(0), shape(2), 3, 30);
        assertTensor(g.get(1), shape(2), 6, 120);
        assertNull(x.grad());
    }

    @Test
    void autogradGradOfAnInputTheOutputDoesNotUse() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor unused = leaf(new double[] {3}, 1);
        Tensor y = x.sum();
        assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(unused), null, true, false));
        // and the error left the graph usable
        assertTensor(Autograd.grad(List.of(y), List.of(x), null, false, false).get(0), shape(2), 1, 1);
    }

    @Test
    void float32GraphsDifferentiateInFloat32() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        x.mul(x).mul(0.5).sum().backward();
        // d(0.5 x^2)/dx = x, computed and stored as float32
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new float[] {1, 2}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void createGraphGivesSecondDerivatives() {
        Tensor x = leaf(new double[] {3}, new int[0]);
        Tensor y = x.mul(x).mul(x);
        // dy/dx = 3 x^2 = 27, recorded so that it can be differentiated again: d2y/dx2 = 6 x = 18
        Tensor dy = Autograd.grad(List.of(y), List.of(x), null, true, true).get(0);
        assertTensor(dy, shape(), 27);
        assertTrue(dy.requiresGrad());
        Tensor d2y = Autograd.grad(List.of(dy), List.of(x), null, false, false).get(0);
        assertTensor(d2y, shape(), 18);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentGraphsOnTwoThreadsMatchOneThread() throws Exception {
        double[][] reference = {workload(1), workload(2)};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<double[]>> futures = new ArrayList<>();
                for (int seed = 1; seed <= 2; seed++) {
                    int s = seed;
                    Callable<double[]> task = () -> {
                        start.await();
                        return workload(s);
                    };
                    futures.add(pool.submit(task));
                }
                start.countDown();
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(reference[i], futures.get(i).get(30, TimeUnit.SECONDS), 0.0,
                            "thread " + i + " in round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void noGradOnOneThreadDoesNotAffectAnother() throws Exception {
        CountDownLatch insideScope = new CountDownLatch(1);
        CountDownLatch otherDone = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> quiet = pool.submit(() -> {
                try (Autograd.Scope scope = Autograd.noGrad()) {
                    insideScope.countDown();
                    otherDone.await();
                    return Autograd.isGradEnabled();
                }
            });
            Future<Boolean> recording = pool.submit(() -> {
                insideScope.await();
                try {
                    Tensor x = leaf(new double[] {1}, 1);
                    return Autograd.isGradEnabled() && x.mul(2.0).requiresGrad();
                } finally {
                    otherDone.countDown();
                }
            });
            assertTrue(recording.get(30, TimeUnit.SECONDS), "the other thread still records");
            assertFalse(quiet.get(30, TimeUnit.SECONDS), "the scope's own thread does not record");
        } finally {
            pool.shutdownNow();
        }
    }

    /** A small MLP-like computation with a seeded input; returns the flattened grads of both weights. */
    private static double[] workload(int seed) {
        Random random = new Random(seed);
        Tensor w1 = Tensor.randn(random, 4, 8).requiresGrad(true);
        Tensor w2 = Tensor.randn(random, 8, 3).requiresGrad(true);
        for (int step = 0; step < 50; step++) {
            Tensor x = Tensor.randn(random, 5, 4);
            Tensor h = x.matmul(w1).tanh();
            Tensor out = h.matmul(w2).sigmoid();
            out.sub(0.5).pow(2).mean().backward();
        }
        double[] g1 = w1.grad().toDoubleArray();
        double[] g2 = w2.grad().toDoubleArray();
        double[] all = new double[g1.length + g2.length];
        System.arraycopy(g1, 0, all, 0, g1.length);
        System.arraycopy(g2, 0, all, g1.length, g2.length);
        return all;
    }

    // The engine numbers the nodes of a pass in the nodes themselves; a second pass through the same nodes
    // renumbers them, and the first must notice and still finish right.

    @Test
    void backwardInsideAHookThroughTheSameNodesLeavesTheOuterPassRight() {
        Tensor x = Tensor.scalar(2.0).requiresGrad(true);
        Tensor y = x.mul(x);
        Tensor z = y.mul(3.0);
        Tensor w = y.add(1.0);
        // When the outer pass reaches z, an inner pass runs through y's node and x's accumulator.
        z.registerHook(g -> {
            w.backward(null, true, false);
            return null;
        });
        z.backward();
        // dw/dx = 2x = 4 from the inner pass, dz/dx = 6x = 12 from the outer one.
        assertEquals(16.0, x.grad().item(), 0.0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void passesOnTwoThreadsSharingALeafAccumulateEveryGradient() throws Exception {
        Tensor x = Tensor.scalar(1.0).requiresGrad(true);
        int steps = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < steps; i++) {
                        // x's accumulator is shared by both threads' graphs and reached twice in each.
                        x.mul(2.0).add(x.mul(3.0)).backward();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * steps * 5.0, x.grad().item(), 0.0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDroppedGraphIsCollectable() throws InterruptedException {
        java.lang.ref.WeakReference<Tensor> loss;
        java.lang.ref.WeakReference<GradFn> node;
        Tensor w = Tensor.scalar(0.5).requiresGrad(true);
        {
            Tensor h = w;
            for (int i = 0; i < 1000; i++) {
                h = h.mul(w).add(1.0).tanh();
            }
            loss = new java.lang.ref.WeakReference<>(h);
            node = new java.lang.ref.WeakReference<>(h.gradFn());
        }
        // Nothing outside the graph (not the thread's state, not the leaf's accumulator) may keep it alive.
        for (int i = 0; i < 50 && (loss.get() != null || node.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(loss.get(), "the root of a dropped graph is collected");
        assertNull(node.get(), "its nodes are collected");
        assertNotNull(w.gradEdge(), "the leaf lives on");
    }
}
