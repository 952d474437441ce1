package dev.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** See {@link Autograd#checkpoint}: a segment recorded as one node that recomputes itself in backward. */
final class Checkpoint {

    private Checkpoint() {
    }

    static Tensor apply(Function<Tensor[], Tensor> segment, Tensor[] inputs) {
        boolean record = false;
        for (Tensor t : inputs) {
            record |= t.requiresGrad;
        }
        if (!record || !GradMode.isEnabled()) {
            return segment.apply(inputs);
        }
        Tensor out;
        try (var scope = Autograd.noGrad()) {
            out = segment.apply(inputs);
        }
        Tensor result = out.detach();
        return result.recordedBy(new Recompute(segment, inputs));
    }

    /** Backward: rerun the segment with recording on, then backpropagate through that fresh graph. */
    static final class Recompute extends Node {
        @Override
        public String formula() {
            return "recomputes the checkpointed segment, then backpropagates through it";
        }

        private final Function<Tensor[], Tensor> segment;
        /** The autocast dtype the forward ran under (or null): the recomputation must make the same casts. */
        private final DType autocast;

        Recompute(Function<Tensor[], Tensor> segment, Tensor[] inputs) {
            super("checkpoint", inputs);
            this.segment = segment;
            this.autocast = GradMode.state().autocast;
            save(inputs);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor[] fresh = new Tensor[next.length];
            List<Tensor> wanted = new ArrayList<>();
            boolean createGraph = GradMode.isEnabled();
            for (int i = 0; i < fresh.length; i++) {
                Tensor original = saved(i);
                // With createGraph the recomputation hangs off the original inputs, so that higher-order
                // gradients reach them; otherwise detached copies keep the two graphs apart.
                fresh[i] = createGraph ? original : original.detach().requiresGrad(needsGrad(i));
                if (needsGrad(i)) {
                    wanted.add(fresh[i]);
                }
            }
            Tensor out;
            GradMode.State state = GradMode.state();
            DType outside = state.autocast;
            state.autocast = autocast;
            try (var scope = Autograd.enableGrad()) {
                out = segment.apply(fresh);
            } finally {
                state.autocast = outside;
            }
            List<Tensor> grads = wanted.isEmpty() ? List.of()
                    // With createGraph the recomputed graph stays: the returned gradients are differentiated
                    // through it later.
                    : Autograd.grad(List.of(out), wanted, List.of(g), createGraph, createGraph, true);
            Tensor[] result = new Tensor[fresh.length];
            for (int i = 0, w = 0; i < fresh.length; i++) {
                if (needsGrad(i)) {
                    result[i] = grads.get(w++);
                }
            }
            return result;
        }
    }
}
