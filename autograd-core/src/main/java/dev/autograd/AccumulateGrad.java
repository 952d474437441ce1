package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
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


    private static final Tensor[] NOTHING = new Tensor[0];

    final Tensor leaf;

    AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad");
        this.leaf = leaf;
        this.outputShape = leaf.shapeRef();
    }

    @Override
    Tensor[] backward(Tensor grad) {
        // Under createGraph: the sum is recorded, so that the accumulated gradient stays differentiable.
        synchronized (leaf) {
            // The first gradient is copied: the same tensor may reach several leaves (add sends g to both
            // inputs), and a later change to one leaf's grad must not reach the others.
            leaf.grad = leaf.grad == null ? grad.copy() : leaf.grad.add(grad);
        }
        return NOTHING;
    }

    @Override
    Tensor[] fusedBackward(Tensor grad) {
        // Several threads may backward through graphs that share this leaf.
        synchronized (leaf) {
            Tensor current = leaf.grad;
            if (current == null) {
                Tensor full = Engine.expandTo(grad, leaf.shapeRef(), false);
                // A buffer nobody else holds becomes the leaf's gradient as it is; anything else is copied.
                leaf.grad = Engine.writable(full) ? new Tensor(Engine.disown(full).storage, leaf.shapeRef())
                        : full.copy();
            } else if (current.gradFn == null && !current.requiresGrad && current.dtype() == grad.dtype()) {
                // grad += g in place, as PyTorch accumulates outside createGraph; the version bump makes a
                // graph that saved the old gradient fail loudly instead of reading the new values.
                Kernels.addInto(current.storage.array, current.shapeRef(), grad.storage.array, grad.shapeRef());
                current.storage.bumpVersion();
            } else {
                leaf.grad = current.add(grad);
            }
        }
        return NOTHING;
    }

    @Override
    boolean acceptsBroadcastGrad() {
        return true;
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
