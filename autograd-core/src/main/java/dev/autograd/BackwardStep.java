package dev.autograd;

import java.util.List;

/**
 * One node's part of a backward pass: the chain rule applied once.
 *
 * <p>For an op {@code y = f(x_1, ..., x_n)} the node receives {@code upstream = dL/dy} and sends
 * {@code dL/dx_i = upstream * dy/dx_i} (as a vector-Jacobian product for tensors) to each input. For
 * scalars, {@code inputGradients[i] / upstream} is the local derivative {@code dy/dx_i}.
 *
 * @param order          position in the backward pass, from 1
 * @param node           the node that ran
 * @param upstream       the gradient it received, {@code dL/d output}
 * @param inputGradients the gradient it sent to each input ({@code null} where none was needed), already
 *                       summed to the input's shape
 */
public record BackwardStep(int order, GradFn node, Tensor upstream, List<Tensor> inputGradients) {

    /** @return the op's name */
    public String op() {
        return node.name();
    }

    /** @return the op's local derivative rule */
    public String formula() {
        return node.formula();
    }
}
