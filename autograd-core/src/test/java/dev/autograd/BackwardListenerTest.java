package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link Autograd#addBackwardListener}: a listener sees every node a backward pass runs, in order, with the
 * gradient it received and the gradients it sent; the handle removes it; listeners are per thread.
 */
class BackwardListenerTest {

    @Test
    void aListenerSeesEveryStepInOrderWithItsGradients() {
        Tensor x = Tensor.scalar(3).requiresGrad(true);
        Tensor w = Tensor.scalar(2).requiresGrad(true);
        Tensor y = x.mul(w).tanh();
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        try {
            y.backward();
        } finally {
            handle.remove();
        }
        List<String> ops = steps.stream().map(BackwardStep::op).toList();
        assertEquals("tanh", ops.get(0));
        assertEquals("mul", ops.get(1));
        assertEquals(List.of("AccumulateGrad", "AccumulateGrad"), ops.subList(2, ops.size()), "then the two leaves");
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).order());
        }
        // the chain rule, step by step: tanh receives 1 and sends 1 - tanh(6)^2 to mul
        double t = Math.tanh(6);
        assertEquals(1.0, steps.get(0).upstream().item(), 0);
        assertEquals(1 - t * t, steps.get(0).inputGradients().get(0).item(), 1e-15);
        // mul sends upstream * w to x and upstream * x to w
        assertEquals(2 * (1 - t * t), steps.get(1).inputGradients().get(0).item(), 1e-15);
        assertEquals(3 * (1 - t * t), steps.get(1).inputGradients().get(1).item(), 1e-15);
        assertTrue(steps.get(0).formula().contains("tanh"), steps.get(0).formula());
    }

    @Test
    void inputsThatNeedNoGradientGetNullInTheStep() {
        Tensor x = Tensor.scalar(3).requiresGrad(true);
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        try {
            x.mul(Tensor.scalar(5)).backward();
        } finally {
            handle.remove();
        }
        assertEquals("mul", steps.get(0).op());
        assertEquals(5.0, steps.get(0).inputGradients().get(0).item(), 0);
        assertNull(steps.get(0).inputGradients().get(1));
    }

    @Test
    void removingTheListenerStopsIt() {
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        Tensor x = Tensor.scalar(1).requiresGrad(true);
        x.exp().backward();
        int seen = steps.size();
        handle.remove();
        handle.remove();
        x.exp().backward();
        assertEquals(seen, steps.size());
    }

    @Test
    void listenersArePerThread() throws Exception {
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> Tensor.scalar(1).requiresGrad(true).exp().backward()).get(10, TimeUnit.SECONDS);
            assertTrue(steps.isEmpty(), "a backward on another thread is not reported here: " + steps);
        } finally {
            pool.shutdownNow();
            handle.remove();
        }
    }

    @Test
    void theCheckpointRecomputationIsReportedAsItsOwnPassAndNumberingResumes() {
        Tensor x = Tensor.scalar(0.5).requiresGrad(true);
        Tensor y = Autograd.checkpoint(in -> in[0].sin().exp(), x).mul(2.0);
        List<String> seen = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(s -> seen.add(s.order() + ":" + s.op()));
        try {
            y.backward();
        } finally {
            handle.remove();
        }
        // the outer pass: mul (1), checkpoint (2), the accumulator (3); inside checkpoint's backward a pass of
        // its own over the recomputed exp and sin, numbered from 1
        assertEquals("1:mul", seen.get(0));
        assertTrue(seen.contains("1:exp") && seen.contains("2:sin"), seen.toString());
        assertEquals("2:checkpoint", seen.get(seen.size() - 2), seen.toString());
        assertEquals("3:AccumulateGrad", seen.get(seen.size() - 1), seen.toString());
    }

    @Test
    void readyNodesRunNewestFirstAndLeavesLast() {
        // Four branches from one leaf, recorded in the order exp, sin, mul, tanh, summed pairwise; once the
        // adds have run all four are ready, and they run newest first: tanh, mul, sin, exp. Leaves come last,
        // newest first as well.
        Tensor a = Tensor.scalar(0.5).requiresGrad(true).name("a");
        Tensor b = Tensor.scalar(0.25).requiresGrad(true).name("b");
        Tensor e = a.exp();
        Tensor s = a.sin();
        Tensor m = b.mul(3.0);
        Tensor t = b.tanh();
        Tensor loss = e.add(s).add(m.add(t));
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        try {
            loss.backward();
        } finally {
            handle.remove();
        }
        List<String> ops = steps.stream().map(BackwardStep::op).toList();
        assertEquals(List.of("add", "add", "add", "tanh", "mul", "sin", "exp", "AccumulateGrad", "AccumulateGrad"),
                ops);
        assertEquals(0.25, ((AccumulateGrad) steps.get(7).node()).leaf.item(), 0.0, "b's accumulator, newer, first");
    }
}
