package dev.autograd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A differentiable op of your own: give its forward and its backward, and {@link #apply} records it on
 * the graph like a built-in op, so that backward, {@link GradCheck} and graph export see it.
 *
 * <pre>{@code
 * // log(1 + e^x), stable for large x, with its derivative sigmoid(x)
 * final class StableSoftplus extends CustomFunction {
 *     protected Tensor forward(Context ctx, Tensor... in) {
 *         Tensor x = in[0];
 *         ctx.saveForBackward(x);
 *         return x.relu().add(x.abs().neg().exp().log1p());
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor grad) {
 *         return new Tensor[] {grad.mul(ctx.saved(0).sigmoid())};
 *     }
 * }
 * Tensor y = new StableSoftplus().apply(x);
 * }</pre>
 *
 * <p>The forward runs with recording off: whatever it computes is a value, not part of the graph. The
 * backward receives the gradient of the output and returns one gradient per input (of the input's shape,
 * or broadcastable to it; {@code null} for inputs that need none). Write it with tensor ops and it is
 * itself differentiable, so higher-order gradients work through your op too.
 */
public abstract class CustomFunction {

    /** Creates the function; subclasses may hold configuration in fields. */
    protected CustomFunction() {
    }

    /**
     * Computes the output from the inputs; runs with recording off.
     *
     * @param ctx    where to save what backward needs
     * @param inputs the inputs passed to {@link #apply}
     * @return the output
     */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /**
     * The vector-Jacobian product: given {@code dL/d output}, returns {@code dL/d input_i} for each input.
     *
     * @param ctx  the context filled by forward
     * @param grad the gradient of the output
     * @return one gradient per input, {@code null} where none is needed
     */
    protected abstract Tensor[] backward(Context ctx, Tensor grad);

    /**
     * The op's name in graphs and error messages; the class's simple name unless overridden.
     *
     * @return the name
     */
    public String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? "CustomFunction" : simple;
    }

    /**
     * Runs forward and, when some input requires grad and grad mode is on, records the op.
     *
     * @param inputs the inputs
     * @return the output
     */
    public final Tensor apply(Tensor... inputs) {
        Context ctx = new Context(inputs);
        int[] versions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            versions[i] = inputs[i].storage.version();
        }
        Tensor out;
        try (var scope = Autograd.noGrad()) {
            out = forward(ctx, inputs);
        }
        for (int i = 0; i < inputs.length; i++) {
            // forward runs without recording, so an in-place write there would escape the version checks of
            // every graph that uses the input, and a leaf's value would change under its gradient.
            if (inputs[i].requiresGrad && inputs[i].storage.version() != versions[i]) {
                throw new IllegalStateException(name() + ": forward modified input " + i + " (shape "
                        + Shapes.format(inputs[i].shapeRef()) + "), which requires grad, in place; write the"
                        + " result into a new tensor instead");
            }
        }
        if (out == null) {
            throw new IllegalStateException(name() + ": forward returned null");
        }
        boolean record = false;
        for (Tensor t : inputs) {
            record |= t.requiresGrad;
        }
        if (!record || !GradMode.isEnabled()) {
            return out;
        }
        // The output of forward may be an input or share its node; a fresh tensor owns the new node.
        CustomNode node = new CustomNode(this, ctx, inputs);
        Tensor result = new Tensor(out.storage, out.shapeRef()).recordedBy(node);
        // A saved output must be the recorded one, or a second derivative through it would be lost.
        node.replaceSaved(out, result);
        return result;
    }

    /** What forward leaves for backward: saved tensors (checked against in-place changes) and values. */
    public static final class Context {
        private final boolean[] needsInputGrad;
        private final Map<String, Object> values = new HashMap<>();
        private Tensor[] toSave = new Tensor[0];
        private CustomNode node;

        private Context(Tensor[] inputs) {
            needsInputGrad = new boolean[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                needsInputGrad[i] = inputs[i].requiresGrad && GradMode.isEnabled();
            }
        }

        /**
         * Keeps tensors for backward; modifying one in place before backward is then detected.
         *
         * @param tensors the tensors, read back with {@link #saved(int)}
         */
        public void saveForBackward(Tensor... tensors) {
            toSave = tensors.clone();
        }

        /**
         * A tensor saved by forward.
         *
         * @param index its position in the {@link #saveForBackward} call
         * @return the tensor
         * @throws IllegalStateException when the graph was freed or the tensor was modified in place
         */
        public Tensor saved(int index) {
            if (node == null) {
                return toSave[index];
            }
            return node.saved(index);
        }

        /**
         * Whether input {@code index} needs a gradient, so that backward can skip work.
         *
         * @param index the input's position
         * @return true when its gradient is wanted
         */
        public boolean needsInputGrad(int index) {
            return needsInputGrad[index];
        }

        /**
         * Keeps a non-tensor value (a shape, a constant) for backward.
         *
         * @param key   the name
         * @param value the value
         */
        public void put(String key, Object value) {
            values.put(key, value);
        }

        /**
         * A value kept by {@link #put}.
         *
         * @param key the name
         * @param <T> its type
         * @return the value, or null
         */
        @SuppressWarnings("unchecked")
        public <T> T get(String key) {
            return (T) values.get(key);
        }
    }

    /** The recorded node of a custom function. */
    static final class CustomNode extends Node {
        @Override
        public String formula() {
            return "user-defined backward of " + name();
        }

        private final CustomFunction function;
        private final Context ctx;
        /** Per input: its dtype, which the gradient backward returns must have. */
        private final DType[] inputDTypes;

        CustomNode(CustomFunction function, Context ctx, Tensor[] inputs) {
            super(function.name(), inputs);
            this.function = function;
            this.ctx = ctx;
            this.inputDTypes = new DType[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                inputDTypes[i] = inputs[i].dtype();
            }
            save(ctx.toSave);
            ctx.node = this;
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor[] grads = function.backward(ctx, g);
            if (grads == null || grads.length != next.length) {
                throw new IllegalStateException(name() + ": backward returned " + (grads == null ? "null" : grads.length
                        + " gradients") + " but the function has " + next.length + " inputs; return one per input"
                        + " (null for an input that needs none)");
            }
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] == null || !needsGrad(i)) {
                    continue;
                }
                int[] gs = grads[i].shapeRef();
                boolean reducible = gs.length >= inputShapes[i].length;
                for (int d = 0; reducible && d < inputShapes[i].length; d++) {
                    int want = inputShapes[i][inputShapes[i].length - 1 - d];
                    int have = gs[gs.length - 1 - d];
                    reducible = want == have || want == 1;
                }
                if (!reducible || grads[i].dtype() != inputDTypes[i]) {
                    problems.add("input " + i + " has shape " + Shapes.format(inputShapes[i]) + " " + inputDTypes[i]
                            + " but its gradient has shape " + Shapes.format(gs) + " " + grads[i].dtype());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException(name() + ": backward returned gradients that do not fit: "
                        + String.join("; ", problems));
            }
            return grads;
        }
    }
}
