package dev.autograd;

import java.util.Arrays;
import java.util.List;

/**
 * Grad modes and gradients as values.
 *
 * <pre>{@code
 * try (var scope = Autograd.noGrad()) {
 *     w = w.sub(w.grad().mul(0.1));      // an update that must not be recorded
 * }
 * List<Tensor> g = Autograd.grad(List.of(loss), List.of(w), null, false, false);
 * }</pre>
 */
public final class Autograd {

    private Autograd() {
    }

    /**
     * A scope that restores the previous grad mode when closed. Scopes nest; {@link #close()} throws
     * nothing, so they fit try-with-resources without a catch.
     */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Scope(boolean enabled) {
            this.previous = GradMode.set(enabled);
        }

        /** Restores the grad mode that was in force when this scope was opened. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                GradMode.set(previous);
            }
        }
    }

    /**
     * Stops recording ops on the current thread until the returned scope is closed: results of ops do not
     * require grad and have no {@code gradFn}. Use it for parameter updates and evaluation. Other threads
     * are not affected.
     *
     * @return a scope that restores the previous mode when closed
     */
    public static Scope noGrad() {
        return new Scope(false);
    }

    /**
     * Anomaly detection on the current thread until the returned scope is closed: every op recorded in it
     * remembers where in your code it was created, and the first backward rule that produces a NaN or an
     * infinite gradient throws an {@link IllegalStateException} naming the op and showing that place.
     * Slower (a stack walk per op, a scan per gradient): use it to hunt a NaN, not for training.
     *
     * @return a scope that restores the previous setting when closed
     */
    public static AnomalyScope detectAnomaly() {
        return new AnomalyScope();
    }

    /** The scope of {@link #detectAnomaly()}; {@link #close()} throws nothing. */
    public static final class AnomalyScope implements AutoCloseable {
        private final boolean previous = GradMode.setAnomalyDetection(true);
        private boolean closed;

        private AnomalyScope() {
        }

        /** Restores the anomaly-detection setting in force when this scope was opened. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                GradMode.setAnomalyDetection(previous);
            }
        }
    }

    /**
     * Automatic mixed precision on the current thread until the returned scope is closed, like PyTorch's
     * {@code torch.autocast(device_type="cpu", dtype=...)}. Inside it:
     *
     * <ul>
     * <li>{@code matmul}, {@code linear} and {@code conv2d} (PyTorch's lower-precision list) cast their FLOAT32
     * inputs to {@code dtype} by recorded {@link Tensor#to(DType)} conversions, multiply the half values with
     * float32 accumulation and return a <b>FLOAT32</b> result (inputs of the other half format are cast to
     * {@code dtype} too; inputs already of {@code dtype} are used as they are, and the result is FLOAT32 all the
     * same). PyTorch returns the half dtype there, to save
     * memory bandwidth on hardware with half-precision units; here every op computes in float32 anyway, so
     * rounding the product to half would only lose precision. The backward is PyTorch's: the incoming gradient
     * is rounded to {@code dtype} first, the products accumulate in float32, and the gradients of the half
     * inputs are rounded to {@code dtype}, where small FLOAT16 gradients underflow to zero (loss scaling
     * exists for that); the recorded conversions then hand FLOAT32 gradients to FLOAT32 weights.</li>
     * <li>{@code softmax}, {@code logSoftmax}, {@code logSumExp}, {@code exp}, {@code expm1}, {@code log},
     * {@code log1p}, {@code pow}, {@code reciprocal}, {@code softplus}, {@code sum}, {@code mean}, {@code var}
     * and {@code std} (PyTorch's float32 list: ops that need range or accumulate many terms) cast half inputs up
     * to FLOAT32.</li>
     * <li>Binary element-wise ops (and {@code where}, {@code concat}, {@code stack}) with a FLOAT32 and a half
     * operand cast both to FLOAT32 instead of refusing them.</li>
     * <li>Other ops run in the dtype of their inputs; FLOAT64 tensors are never cast.</li>
     * </ul>
     *
     * <p>Scopes nest (the innermost dtype applies) and are per thread; backward passes never autocast: each
     * backward rule runs in the dtypes its forward op chose.
     *
     * <pre>{@code
     * try (var amp = Autograd.autocast(DType.BFLOAT16)) {
     *     Tensor logits = x.matmul(w);     // bf16 inputs, float32 accumulation, FLOAT32 logits
     *     loss = logits.logSoftmax(1);     // FLOAT32
     * }
     * loss.sum().backward();               // w.grad() is FLOAT32
     * }</pre>
     *
     * @param dtype {@link DType#FLOAT16} or {@link DType#BFLOAT16}
     * @return a scope that restores the previous setting when closed
     * @throws IllegalArgumentException when {@code dtype} is not a 16-bit format
     * @throws NullPointerException     when {@code dtype} is null
     */
    public static AutocastScope autocast(DType dtype) {
        Shapes.nonNull("autocast", dtype, "the dtype");
        if (!dtype.isHalf()) {
            throw new IllegalArgumentException("autocast: the dtype must be FLOAT16 or BFLOAT16, got " + dtype
                    + "; autocast runs chosen ops in a 16-bit format (outside the scope, ops run in their inputs' dtype)");
        }
        return new AutocastScope(dtype);
    }

    /** The scope of {@link #autocast(DType)}; {@link #close()} throws nothing. */
    public static final class AutocastScope implements AutoCloseable {
        private final DType previous;
        private boolean closed;

        private AutocastScope(DType dtype) {
            GradMode.State state = GradMode.state();
            this.previous = state.autocast;
            state.autocast = dtype;
        }

        /** Restores the autocast setting in force when this scope was opened (off, or an outer scope's dtype). */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                GradMode.state().autocast = previous;
            }
        }
    }

    /**
     * The dtype of the innermost open {@link #autocast(DType)} scope on the current thread.
     *
     * @return the autocast dtype, or null when autocast is off
     */
    public static DType autocastDtype() {
        return GradMode.state().autocast;
    }

    /**
     * Gradient checkpointing: runs {@code segment} without keeping its intermediate tensors and runs it
     * again during backward to get them back. Trades one extra forward of the segment for the memory of
     * its activations; the gradients are the same as without checkpointing. The segment must be
     * deterministic (seed any randomness inside it) and must not modify its inputs.
     *
     * <p>The inputs are checked: modifying one in place before backward is an error there, as for any saved
     * tensor. A tensor the segment only captures (uses without receiving it as an input) is read again when
     * backward recomputes the segment, unchecked: modifying it in place in between changes the gradient
     * (PyTorch's checkpoint behaves the same). Pass such a tensor as an input to have it checked.
     *
     * <pre>{@code
     * Tensor h = Autograd.checkpoint(in -> in[0].matmul(w1).tanh().matmul(w2).tanh(), x);
     * }</pre>
     *
     * @param segment the computation to checkpoint
     * @param inputs  its inputs; parameters used inside the segment should be passed as inputs too if
     *                they need gradients (captured tensors get none)
     * @return the segment's output, recorded as one node
     */
    public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> segment, Tensor... inputs) {
        return Checkpoint.apply(segment, inputs);
    }

    /**
     * Registers a listener called for every node the backward passes on the current thread run, in order.
     *
     * @param listener the listener
     * @return a handle whose {@code remove()} unregisters it
     */
    public static HookHandle addBackwardListener(BackwardListener listener) {
        List<BackwardListener> listeners = GradMode.listeners();
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Turns recording back on inside a {@link #noGrad()} scope, until the returned scope is closed.
     *
     * @return a scope that restores the previous mode when closed
     */
    public static Scope enableGrad() {
        return new Scope(true);
    }

    /** @return whether ops on the current thread are recorded for backward */
    public static boolean isGradEnabled() {
        return GradMode.isEnabled();
    }

    /**
     * The gradients of {@code outputs} with respect to {@code inputs}, like {@code torch.autograd.grad}:
     * returns {@code sum_k d(outputs[k] . gradOutputs[k]) / d inputs[i]} for each input, without
     * touching any tensor's {@link Tensor#grad()}.
     *
     * @param outputs      tensors to differentiate
     * @param inputs       tensors (leaves or not) that require grad
     * @param gradOutputs  the upstream gradient of each output, or {@code null} when every output has one
     *                     element (then 1 is used)
     * @param retainGraph  keep the saved tensors so that the graph can be differentiated again
     * @param createGraph  record the backward pass, so that the returned gradients can be differentiated
     * @return one gradient per input, of the input's shape
     * @throws IllegalArgumentException when an input does not require grad or the outputs do not depend on
     *                                  it, or when gradOutputs do not match the outputs
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean retainGraph, boolean createGraph) {
        return grad(outputs, inputs, gradOutputs, retainGraph, createGraph, false);
    }

    /**
     * As {@link #grad(List, List, List, boolean, boolean)}; with {@code allowUnused} an input the outputs do
     * not depend on gets {@code null} instead of an error.
     *
     * @param outputs      tensors to differentiate
     * @param inputs       tensors (leaves or not) that require grad
     * @param gradOutputs  upstream gradients, or {@code null} for single-element outputs
     * @param retainGraph  keep the saved tensors for another backward
     * @param createGraph  record the backward pass for higher-order gradients
     * @param allowUnused  return {@code null} for inputs that do not influence the outputs
     * @return one gradient (or {@code null}) per input
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean retainGraph, boolean createGraph, boolean allowUnused) {
        if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
            throw new IllegalArgumentException("Autograd.grad: " + outputs.size() + " outputs but "
                    + gradOutputs.size() + " gradOutputs; give one upstream gradient per output");
        }
        Tensor[] result = Engine.run(outputs, gradOutputs, retainGraph, createGraph, inputs, allowUnused);
        return Arrays.asList(result);
    }
}
