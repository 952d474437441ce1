package dev.autograd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One recorded op on the tape: the edges to the nodes of its inputs, the tensors it saved for backward
 * and its backward rule. Every op defines a named subclass next to its forward, so that a stack trace or
 * a graph picture names the op.
 *
 * <p>{@link #backward(Tensor)} receives the gradient of the loss with respect to the op's output and
 * returns one gradient per input, in the output's broadcast shape if that is easier: the engine sums each
 * back to its input's shape. Backward rules are written with {@link Tensor} ops so that, when the engine
 * records them ({@code createGraph}), gradients can be differentiated again.
 */
abstract class Node implements GradFn {

    private static final Tensor[] NOTHING_SAVED = new Tensor[0];
    /**
     * Outputs of at most this many elements are referenced strongly for inspection (pictures, traces): the
     * reference costs no object (a weak one is an object per op) and keeps a few dozen bytes alive. Larger
     * outputs are referenced weakly, so that a graph never keeps an activation alive by itself.
     */
    static final int STRONG_OUTPUT_ELEMENTS = 64;
    /**
     * How many small outputs a thread keeps between two backward passes. A graph a person would draw has
     * far fewer ops; a tape of millions of scalar ops keeps only the outputs that were named or asked to
     * retain their gradient, as 88 bytes per op would be half its memory.
     */
    static final int KEPT_OUTPUTS = 200_000;

    private final String name;
    /**
     * Creation order: larger than the sequence of every input's node, and counting up per thread, so
     * that it orders the tape topologically without a shared atomic counter. Among nodes that are ready,
     * the engine runs newer ones first, the reverse of the forward pass.
     */
    final long sequence;
    /** This node's number in the backward pass that last reached it; see {@link Engine}. */
    int passIndex = -1;
    /** Whether a small output is kept for inspection; see {@link #KEPT_OUTPUTS}. */
    final boolean keepsSmallOutput;
    /** Per input: the node its gradient goes to, or {@code null} when that input needs no gradient. */
    final Node[] next;
    /** Per input: its shape, the shape its gradient must have. */
    final int[][] inputShapes;

    private Tensor[] saved = NOTHING_SAVED;
    private int[] savedVersions;
    private boolean released;
    /** The shape of the tensor this node produced: the shape of the gradient it receives. */
    int[] outputShape;
    /**
     * The tensor this node produced, for inspection (graph export, traces): the tensor itself when small,
     * else a {@code WeakReference} to it, so that the graph never keeps a large activation alive.
     */
    Object output;
    /**
     * What few nodes have (a retained gradient, hooks, an anomaly-mode creation site), in one object, so
     * that every other node pays one reference for it.
     */
    static final class Extras {
        /** The output tensor when it asked to keep its gradient ({@link Tensor#retainGrad()}). */
        Tensor retainedOutput;
        /** Hooks on the gradient of this node's output (or of the leaf, for an accumulator), in order. */
        List<HookEntry> hooks;
        /** Where the user's code created this node; recorded only in anomaly mode, as it costs a stack walk. */
        StackTraceElement[] creationSite;
        /**
         * For an op that autocast ran on half inputs with a FLOAT32 output: the half dtype the engine rounds the
         * incoming gradient to before this node's backward, which then sees what PyTorch's half op would see.
         */
        DType gradDtype;
    }

    /** See {@link Extras}; null while the node has none of them. */
    Extras extras;

    /** This node's extras, created on first use. */
    final Extras extras() {
        if (extras == null) {
            extras = new Extras();
        }
        return extras;
    }

    final Tensor retainedOutput() {
        return extras == null ? null : extras.retainedOutput;
    }

    final List<HookEntry> hooks() {
        return extras == null ? null : extras.hooks;
    }

    final StackTraceElement[] creationSite() {
        return extras == null ? null : extras.creationSite;
    }

    /** See {@link Extras#gradDtype}; null for every op recorded outside autocast. */
    final DType gradDtype() {
        return extras == null ? null : extras.gradDtype;
    }

    Node(String name, Tensor... inputs) {
        GradMode.State state = GradMode.state();
        this.name = name;
        this.next = new Node[inputs.length];
        long order = state.sequence;
        boolean allScalar = true;
        for (int i = 0; i < inputs.length; i++) {
            Node edge = inputs[i].gradEdge();
            next[i] = edge;
            if (edge != null && edge.sequence >= order) {
                order = edge.sequence + 1;
            }
            allScalar &= inputs[i].shapeRef() == Shapes.SCALAR;
        }
        this.inputShapes = allScalar && inputs.length <= 3 ? SCALAR_SHAPES[inputs.length] : shapesOf(inputs);

        this.sequence = order;
        state.sequence = order + 1;
        this.keepsSmallOutput = state.keptOutputs < KEPT_OUTPUTS;
        if (keepsSmallOutput) {
            state.keptOutputs++;
        }
        if (state.anomaly) {
            extras().creationSite = new Throwable().getStackTrace();
        }
    }

    // Shared per-input arrays for the common small cases (never modified): a scalar op allocates none.
    private static final int[][][] SCALAR_SHAPES = {{}, {Shapes.SCALAR}, {Shapes.SCALAR, Shapes.SCALAR},
        {Shapes.SCALAR, Shapes.SCALAR, Shapes.SCALAR}};
    private static int[][] shapesOf(Tensor[] inputs) {
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            shapes[i] = inputs[i].shapeRef();
        }
        return shapes;
    }

    /** The inputs of an op with an optional last input (a bias), without it when it is null. */
    static Tensor[] inputs(Tensor a, Tensor b, Tensor optional) {
        return optional == null ? new Tensor[] {a, b} : new Tensor[] {a, b, optional};
    }

    /** A registered gradient hook; identity-compared so that a handle removes exactly its own entry. */
    static final class HookEntry {
        final java.util.function.UnaryOperator<Tensor> hook;

        HookEntry(java.util.function.UnaryOperator<Tensor> hook) {
            this.hook = hook;
        }
    }

    /** Runs the hooks on {@code grad} in registration order; a hook returning null keeps the gradient. */
    final Tensor applyHooks(Tensor grad) {
        List<HookEntry> hooks = hooks();
        if (hooks == null) {
            return grad;
        }
        for (HookEntry entry : List.copyOf(hooks)) {
            Tensor replaced = entry.hook.apply(grad);
            if (replaced != null) {
                if (!java.util.Arrays.equals(replaced.shapeRef(), grad.shapeRef()) || replaced.dtype() != grad.dtype()) {
                    throw new IllegalStateException("hook on the gradient of '" + name + "': it returned shape "
                            + Shapes.format(replaced.shapeRef()) + " " + replaced.dtype() + " but the gradient has shape "
                            + Shapes.format(grad.shapeRef()) + " " + grad.dtype() + "; a hook must keep shape and dtype");
                }
                grad = replaced;
            }
        }
        return grad;
    }

    /** The creation site as text: the user's frames first, the engine's own frames left out. */
    final String describeCreationSite() {
        StackTraceElement[] creationSite = creationSite();
        if (creationSite == null) {
            return "(creation site unknown: the op was recorded outside Autograd.detectAnomaly())";
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (StackTraceElement frame : creationSite) {
            String cls = frame.getClassName();
            boolean engine = cls.startsWith("dev.autograd.") && cls.indexOf('.', "dev.autograd.".length()) < 0
                    && !cls.endsWith("Test") && !cls.contains("Test$");
            if (!engine && shown < 8) {
                sb.append("\n    at ").append(frame);
                shown++;
            }
        }
        return sb.toString();
    }

    /**
     * The gradients of the op's inputs given {@code grad}, the gradient of its output, written with
     * {@link Tensor} ops so that under {@code createGraph} the engine records them and they can be
     * differentiated again.
     */
    abstract Tensor[] backward(Tensor grad);

    /**
     * The same gradients for a plain backward (no {@code createGraph}, grad mode off). By default the
     * differentiable rule, unrecorded; ops override it with fused kernels that write each input's
     * gradient in one pass into a buffer of its own, marked with {@link Engine#owned} so that the engine
     * may accumulate into it or hand it to a leaf without copying. Tests check both forms against each
     * other and against finite differences.
     */
    Tensor[] fusedBackward(Tensor grad) {
        return backward(grad);
    }

    /**
     * Whether {@link #fusedBackward} accepts a gradient whose shape only broadcasts to the output's (for
     * example the {@code [1]} gradient of a full {@code sum()}), reading it with zero strides instead of
     * having the engine materialise the repeats first.
     */
    boolean acceptsBroadcastGrad() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<GradFn> nextFunctions() {
        List<GradFn> list = new ArrayList<>(next.length);
        Collections.addAll(list, next);
        return Collections.unmodifiableList(list);
    }

    /** Whether input {@code i} wants a gradient; backward rules skip the work for the others. */
    final boolean needsGrad(int i) {
        return next[i] != null;
    }

    /** Keeps tensors for backward, remembering their versions to detect later in-place writes. */
    final void save(Tensor... tensors) {
        saved = tensors;
        // Versions are remembered only when one is not 0: tensors that were never modified in place (nearly
        // all) cost no array.
        int[] versions = null;
        for (int i = 0; i < tensors.length; i++) {
            int version = tensors[i].storage.version();
            if (version != 0) {
                if (versions == null) {
                    versions = new int[tensors.length];
                }
                versions[i] = version;
            }
        }
        savedVersions = versions;
    }

    /** Saved tensor {@code i}, checked to be still there and unmodified. */
    final Tensor saved(int i) {
        if (released) {
            throw new IllegalStateException(name + ": trying to run backward through the graph a second time,"
                    + " but the tensors this op saved were freed by the first backward. Pass retainGraph=true"
                    + " to the first backward(...) call if you need to backward twice.");
        }
        Tensor t = saved[i];
        int expected = savedVersions == null ? 0 : savedVersions[i];
        if (t.storage.version() != expected) {
            throw new IllegalStateException(name + ": a tensor of shape " + Shapes.format(t.shapeRef())
                    + " that this op saved for backward was modified in place after it was saved (version "
                    + expected + ", now " + t.storage.version() + "); its gradient would be wrong."
                    + " Use the out-of-place op or clone the tensor before modifying it.");
        }
        return t;
    }

    /** Replaces a saved tensor by another over the same storage (a custom function's recorded output). */
    final void replaceSaved(Tensor original, Tensor replacement) {
        for (int i = 0; i < saved.length; i++) {
            if (saved[i] == original) {
                saved[i] = replacement;
            }
        }
    }

    /** Drops the saved tensors after a backward that does not retain the graph. */
    final void release() {
        if (saved.length > 0) {
            saved = NOTHING_SAVED;
            released = true;
        }
    }

    /** A result array for {@link #backward}: one gradient per input, {@code null} for those not needed. */
    static Tensor[] grads(Tensor... perInput) {
        return perInput;
    }

    @Override
    public String formula() {
        return "d " + name + "/dx";
    }

    @Override
    public Tensor output() {
        if (output instanceof java.lang.ref.WeakReference<?> weak) {
            return (Tensor) weak.get();
        }
        return output != null ? (Tensor) output : retainedOutput();
    }

    @Override
    public String toString() {
        return name;
    }
}
