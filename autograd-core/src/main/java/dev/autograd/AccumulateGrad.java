package dev.autograd;

import java.util.List;

/**
 * The sink at a leaf that requires grad: adds the incoming gradient to {@link Tensor#grad()}. Gradients
 * accumulate across backward calls until {@link Tensor#zeroGrad()}, as in PyTorch.
 */
final class AccumulateGrad extends Node {
    @Override
    public String formula() {
        return "grad += g (accumulated into the leaf)";
    }


    final Tensor leaf;

    AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad");
        this.leaf = leaf;
    }

    @Override
    Tensor[] backward(Tensor grad) {
        // Several threads may backward through graphs that share this leaf.
        synchronized (leaf) {
            // The first gradient is copied: the engine may hand the same tensor to several leaves (add sends g
            // to both inputs), and a later in-place change to one leaf's grad must not reach the others.
            leaf.grad = leaf.grad == null ? grad.copy() : leaf.grad.add(grad);
        }
        return new Tensor[0];
    }

    @Override
    public Tensor output() {
        return leaf;
    }

    @Override
    public List<GradFn> nextFunctions() {
        return List.of();
    }
}
