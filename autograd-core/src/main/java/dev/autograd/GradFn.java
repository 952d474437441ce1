package dev.autograd;

import java.util.List;

/**
 * A read-only view of one recorded node of the graph: the backward function of the op that produced a
 * tensor ({@link Tensor#gradFn()}), or the gradient accumulator of a leaf.
 */
public interface GradFn {

    /** The op's name, e.g. {@code "mul"}, {@code "matmul"}, or {@code "AccumulateGrad"} for a leaf. */
    String name();

    /**
     * The nodes this one sends gradients to, one per input of the op, in argument order; an entry is
     * {@code null} where that input does not require grad.
     */
    List<GradFn> nextFunctions();
}
