package dev.autograd;

import java.util.List;

/**
 * A read-only view of one recorded node of the graph: the backward function of the op that produced a
 * tensor ({@link Tensor#gradFn()}), or the gradient accumulator of a leaf.
 */
public interface GradFn {

    /** @return the op's name, e.g. {@code "mul"}, {@code "matmul"}, or {@code "AccumulateGrad"} for a leaf */
    String name();

    /**
     * The nodes this one sends gradients to, one per input of the op, in argument order; an entry is
     * {@code null} where that input does not require grad.
     *
     * @return the next nodes towards the leaves
     */
    List<GradFn> nextFunctions();

    /**
     * The local derivative rule of the op as a short formula, e.g. {@code d tanh(x)/dx = 1 - tanh(x)^2}.
     *
     * @return the rule, for traces and graph pictures
     */
    String formula();

    /**
     * The tensor this node produced (for an accumulator: its leaf), if it is still alive. The graph holds
     * outputs only weakly, so that recording a graph never keeps activations alive by itself.
     *
     * @return the tensor, or {@code null} when it has been garbage-collected
     */
    Tensor output();
}
