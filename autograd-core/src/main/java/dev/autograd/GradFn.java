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
     * The tensor this node produced (for an accumulator: its leaf), for pictures and traces. The graph
     * keeps small outputs (at most 64 elements) of the first 200,000 ops recorded on a thread since its last
     * backward, and every output that was {@linkplain Tensor#name(String) named} or asked to
     * {@linkplain Tensor#retainGrad() retain its gradient}; a larger output only weakly, so that recording
     * never keeps an activation alive by itself. Beyond those 200,000 ops (a tape of millions of scalar
     * ops, where these references would be half its memory) an unnamed small output is not kept.
     *
     * @return the tensor, or {@code null} when it was not kept or has been garbage-collected
     */
    Tensor output();
}
