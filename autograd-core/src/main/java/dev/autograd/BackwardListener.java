package dev.autograd;

/**
 * Observes the backward pass node by node, in the order the engine runs them. Register one with
 * {@link Autograd#addBackwardListener}; {@link BackwardTrace} is a ready-made one that records a table.
 */
@FunctionalInterface
public interface BackwardListener {

    /**
     * Called after a node's backward rule has run, before its gradients are passed on.
     *
     * @param step what the node received and what it sends to each input
     */
    void onStep(BackwardStep step);
}
