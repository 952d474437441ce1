package dev.autograd;

/**
 * The op lists of {@link Autograd#autocast(DType)}, after PyTorch's ("Autocast Op Reference"): which ops
 * run on half inputs, which are forced to FLOAT32, which promote mixed inputs. Each op asks here at its
 * entry; outside autocast every answer is "leave the inputs alone", after one thread-local read that only
 * the ops of the lists make (and the float32-list ops only for half inputs, the binary ops only for inputs
 * of different dtypes).
 *
 * <p>Casts are recorded {@code to} ops, so master weights stay FLOAT32 and their gradients come back in
 * FLOAT32. FLOAT64 tensors are never cast (PyTorch leaves them alone too).
 */
final class Autocast {

    private Autocast() {
    }

    /** The autocast dtype on this thread, or null outside autocast. */
    static DType active() {
        return GradMode.state().autocast;
    }

    /**
     * For an op of the lower-precision list (matmul, linear, conv2d): the half dtype to run it in when
     * autocast is on and every input is FLOAT32 or half (none FLOAT64), else null. Null inputs (an absent
     * bias) are skipped.
     */
    static DType lowPrecision(Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.dtype() == DType.FLOAT64) {
                return null;
            }
        }
        return active();
    }

    /** {@code t} cast to {@code dtype} by a recorded (differentiable) conversion; null stays null. */
    static Tensor cast(Tensor t, DType dtype) {
        return t == null ? null : t.to(dtype);
    }

    /** A FLOAT32 copy of a half tensor's values, for a kernel that accumulates in float32 and keeps the result. */
    static Object widened(Tensor t) {
        return t == null ? null : dev.autograd.internal.kernel.Kernels.toFloats(t.storage.array);
    }

    /** Marks the node of an autocast op: its backward starts from the gradient rounded to {@code dtype}. */
    static Tensor roundsGradientTo(Tensor result, DType dtype) {
        Node node = result.gradFn;
        if (node != null) {
            node.extras().gradDtype = dtype;
        }
        return result;
    }

    /**
     * For an op of the float32 list (softmax, logSoftmax, logSumExp, exp, log, pow, sums, means, variances,
     * losses): {@code x} cast up to FLOAT32 when it is half and autocast is on, else {@code x} itself.
     */
    static Tensor toFloat32(Tensor x) {
        return x.dtype().isHalf() && active() != null ? x.to(DType.FLOAT32) : x;
    }

    /**
     * For a binary op whose operands have different dtypes: inside autocast, a FLOAT32 operand and a half
     * one (or two different half formats) both cast to FLOAT32, the widest of them, as PyTorch's promote
     * list does; outside autocast, or with a FLOAT64 operand, the operands unchanged (the op then refuses
     * them).
     */
    static Tensor[] promote(Tensor a, Tensor b) {
        DType da = a.dtype();
        DType db = b.dtype();
        if (da == db || da == DType.FLOAT64 || db == DType.FLOAT64 || active() == null) {
            return null;
        }
        return new Tensor[] {a.to(DType.FLOAT32), b.to(DType.FLOAT32)};
    }

    /**
     * The same rule for ops of many operands ({@code where}, {@code concat}, {@code stack}): all cast to FLOAT32
     * when autocast is on, their dtypes differ and none is FLOAT64; else null.
     */
    static java.util.List<Tensor> promote(java.util.List<Tensor> tensors) {
        boolean mixed = false;
        for (Tensor t : tensors) {
            if (t == null || t.dtype() == DType.FLOAT64) {
                return null;
            }
            mixed |= t.dtype() != tensors.get(0).dtype();
        }
        if (!mixed || active() == null) {
            return null;
        }
        java.util.List<Tensor> out = new java.util.ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            out.add(t.to(DType.FLOAT32));
        }
        return out;
    }
}
