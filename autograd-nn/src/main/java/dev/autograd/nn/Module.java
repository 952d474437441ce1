package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base class of every layer and model, like PyTorch's {@code nn.Module}: it owns named parameters
 * (tensors that require grad and that an optimizer updates), named buffers (tensors saved with the model
 * but not trained, such as {@link BatchNorm1d}'s running statistics) and named child modules. Names are
 * dotted paths through the tree, e.g. {@code "0.weight"} or {@code "encoder.layers.2.bias"}.
 *
 * <pre>{@code
 * final class TwoLayer extends Module {
 *     private final Linear hidden;
 *     private final Linear out;
 *     TwoLayer(Random rng) {
 *         hidden = registerModule("hidden", new Linear(2, 16, true, rng));
 *         out = registerModule("out", new Linear(16, 1, true, rng));
 *     }
 *     public Tensor forward(Tensor x) {
 *         return out.forward(hidden.forward(x).relu());
 *     }
 * }
 * }</pre>
 *
 * <p>A subclass reads its own tensors with {@link #parameter(String)} and {@link #buffer(String)} on every
 * forward rather than caching them in fields: {@link #to(DType)} and {@link #functionalCall} replace the
 * registered tensors, and the forward must see the replacements.
 *
 * <p>Optimizers update parameters in place, so the tensor objects returned by {@link #parameters()} stay
 * the model's parameters for its whole life, except after {@link #to(DType)}, which creates new tensors:
 * convert a model before creating its optimizer. A module is not thread-safe: train it from one thread.
 *
 * <p>Import this class by name ({@code import dev.autograd.nn.Module;}): with only the wildcard
 * {@code import dev.autograd.nn.*;} the simple name {@code Module} is ambiguous with {@code java.lang.Module}.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** For subclasses, which register their parameters, buffers and children in their constructor. */
    protected Module() {
    }

    /**
     * Computes this module's output; records a graph when grad mode is on and some parameter or the input
     * requires grad.
     *
     * @param input the input, whose shape contract each layer documents
     * @return the output
     */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers {@code value} as a trainable parameter under {@code name}: it becomes a leaf that requires
     * grad (see {@link Parameter}).
     *
     * @param name  a non-empty name without dots, unique among this module's parameters, buffers and children
     * @param value a leaf tensor (not produced by a recorded op); it is marked {@code requiresGrad(true)}
     * @return {@code value}
     * @throws IllegalArgumentException when the name is invalid or taken, or the tensor is not a leaf
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Objects.requireNonNull(value, "registerParameter: the tensor is null");
        if (!value.isLeaf()) {
            throw new IllegalArgumentException("registerParameter: '" + name + "' is the output of op '"
                    + value.gradFn().name() + "'; a parameter must be a leaf. Register value.detach() instead.");
        }
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /**
     * Registers a buffer: state saved and loaded with the model but not trained (no gradient), such as
     * running statistics.
     *
     * @param name  a non-empty name without dots, unique among this module's parameters, buffers and children
     * @param value a tensor that does not require grad
     * @return {@code value}
     * @throws IllegalArgumentException when the name is invalid or taken, or the tensor requires grad
     */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Objects.requireNonNull(value, "registerBuffer: the tensor is null");
        if (value.requiresGrad()) {
            throw new IllegalArgumentException("registerBuffer: '" + name + "' requires grad; a buffer is not"
                    + " trained. Register it with registerParameter, or pass value.detach().");
        }
        buffers.put(name, value);
        return value;
    }

    /**
     * Registers a child module; its parameters and buffers appear under {@code name + "."}.
     *
     * @param name   a non-empty name without dots, unique among this module's parameters, buffers and children
     * @param module the child
     * @param <M>    the child's type
     * @return {@code module}, so that a constructor can keep it in a typed field
     * @throws IllegalArgumentException when the name is invalid or taken, or the module is this one
     */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        Objects.requireNonNull(module, "registerModule: the module is null");
        if (module == this) {
            throw new IllegalArgumentException("registerModule: a module cannot be its own child ('" + name + "')");
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("Module: invalid name '" + name + "' in " + getClass().getSimpleName()
                    + "; names are non-empty and contain no '.' (dots separate the levels of the tree)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("Module: the name '" + name + "' is already used in "
                    + getClass().getSimpleName() + "; choose another name");
        }
    }

    /**
     * The tensor currently registered as parameter {@code name} of this module (not of a child).
     *
     * @param name the local name
     * @return the parameter
     * @throws IllegalArgumentException when there is no such parameter
     */
    protected final Tensor parameter(String name) {
        Tensor t = parameters.get(name);
        if (t == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name
                    + "'; its parameters are " + parameters.keySet());
        }
        return t;
    }

    /**
     * The tensor currently registered as buffer {@code name} of this module (not of a child).
     *
     * @param name the local name
     * @return the buffer
     * @throws IllegalArgumentException when there is no such buffer
     */
    protected final Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name
                    + "'; its buffers are " + buffers.keySet());
        }
        return t;
    }

    // ---------------------------------------------------------------- the tree

    /**
     * The parameters of this module and all its descendants, in registration order (depth first), each
     * tensor once even when it is registered under several names (tied weights). Pass them to an optimizer.
     *
     * @return an unmodifiable list
     */
    public final List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /**
     * The parameters by dotted name, in registration order (own parameters first, then each child's); a
     * tensor registered under several names appears under its first name only.
     *
     * @return an unmodifiable, ordered map
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect("", true, false, out, seen);
        return Collections.unmodifiableMap(out);
    }

    /**
     * The buffers by dotted name, in registration order.
     *
     * @return an unmodifiable, ordered map
     */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", false, true, out, null);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Everything that defines the model's state, as PyTorch's {@code state_dict()}: for each module (this
     * one first, then its children depth first) its parameters, then its buffers, under dotted names. Tied
     * tensors appear under every name. The tensors are the live ones, not copies.
     *
     * @return an unmodifiable, ordered map
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", true, true, out, null);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, boolean params, boolean bufs, Map<String, Tensor> out, Set<Tensor> seen) {
        if (params) {
            for (var e : parameters.entrySet()) {
                if (seen == null || seen.add(e.getValue())) {
                    out.put(prefix + e.getKey(), e.getValue());
                }
            }
        }
        if (bufs) {
            for (var e : buffers.entrySet()) {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (var e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", params, bufs, out, seen);
        }
    }

    /**
     * The direct children by name, in registration order.
     *
     * @return an unmodifiable, ordered map
     */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(children));
    }

    /**
     * This module (under the name {@code ""}) and all its descendants by dotted name, depth first.
     *
     * @return an unmodifiable, ordered map
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        // An explicit stack: depth first, children in registration order.
        java.util.ArrayDeque<Map.Entry<String, Module>> stack = new java.util.ArrayDeque<>();
        stack.push(Map.entry("", this));
        while (!stack.isEmpty()) {
            var e = stack.pop();
            out.put(e.getKey(), e.getValue());
            List<Map.Entry<String, Module>> kids = new ArrayList<>(e.getValue().children.entrySet());
            for (int i = kids.size() - 1; i >= 0; i--) {
                String child = e.getKey().isEmpty() ? kids.get(i).getKey() : e.getKey() + "." + kids.get(i).getKey();
                stack.push(Map.entry(child, kids.get(i).getValue()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Calls {@code fn} on every module of the tree (this one first, then descendants depth first), e.g. to
     * initialise weights: {@code model.apply(m -> { if (m instanceof Linear l) Init.xavierUniform(l.weight(), 1, rng); })}.
     *
     * @param fn the function to call
     * @return this module
     */
    public final Module apply(Consumer<Module> fn) {
        namedModules().values().forEach(fn);
        return this;
    }

    /**
     * The number of parameter elements (each tied tensor counted once).
     *
     * @return the sum of {@code numel()} over {@link #parameters()}
     */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    // ---------------------------------------------------------------- training state

    /** Forgets the accumulated gradient of every parameter ({@code grad()} becomes {@code null}). */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    /**
     * Sets training mode on this module and all descendants: it changes what {@link Dropout} and
     * {@link BatchNorm1d} do.
     *
     * @param mode {@code true} for training, {@code false} for evaluation
     * @return this module
     */
    public final Module train(boolean mode) {
        for (Module m : namedModules().values()) {
            m.training = mode;
        }
        return this;
    }

    /**
     * Training mode, {@code train(true)}: dropout drops, batch norm uses batch statistics and updates its
     * running ones.
     *
     * @return this module
     */
    public final Module train() {
        return train(true);
    }

    /**
     * Evaluation mode, {@code train(false)}: dropout is the identity, batch norm uses its running statistics.
     *
     * @return this module
     */
    public final Module eval() {
        return train(false);
    }

    /** @return whether this module is in training mode (the default for a new module) */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Converts every parameter and buffer to {@code dtype}, replacing the registered tensors by new ones
     * under the same names (parameters stay leaves that require grad; tied tensors stay tied). Gradients are
     * dropped. Tensors already of that dtype are kept as they are. Create the optimizer after converting:
     * it holds the tensors it was given.
     *
     * @param dtype the target element type
     * @return this module
     */
    public final Module to(DType dtype) {
        Map<Tensor, Tensor> converted = new IdentityHashMap<>();
        try (var scope = Autograd.noGrad()) {
            for (Module m : namedModules().values()) {
                m.parameters.replaceAll((name, p) -> p.dtype() == dtype ? p
                        : converted.computeIfAbsent(p, t -> t.to(dtype).requiresGrad(true)));
                m.buffers.replaceAll((name, b) -> b.dtype() == dtype ? b
                        : converted.computeIfAbsent(b, t -> t.to(dtype)));
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- state dict and functional call

    /**
     * Copies {@code state} into this module's parameters and buffers, in place (tensor identity is kept, so
     * an optimizer created earlier keeps working). Every name of {@link #stateDict()} must be present with
     * the same shape and dtype, and no other name may appear; otherwise nothing is copied and the exception
     * lists every mismatch at once.
     *
     * @param state tensors by dotted name, e.g. from {@link SafeTensors#read}
     * @throws IllegalArgumentException listing missing names, unexpected names, and shape and dtype differences
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, DType> dtypes = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            shapes.put(k, v.shape());
            dtypes.put(k, v.dtype());
        });
        String problems = mismatches(own, shapes, dtypes);
        if (problems != null) {
            throw new IllegalArgumentException("loadStateDict: the state does not fit " + getClass().getSimpleName()
                    + ":\n" + problems);
        }
        try (var scope = Autograd.noGrad()) {
            own.forEach((k, t) -> t.copyFrom(state.get(k)));
        }
    }

    /**
     * Every difference between this module's state and the given names, shapes and dtypes, one per line, or
     * {@code null} when they match. Lists are cut after 20 names so that a message stays readable.
     */
    static String mismatches(Map<String, Tensor> own, Map<String, int[]> shapes, Map<String, DType> dtypes) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> different = new ArrayList<>();
        for (var e : own.entrySet()) {
            int[] shape = shapes.get(e.getKey());
            if (shape == null) {
                missing.add(e.getKey());
                continue;
            }
            Tensor t = e.getValue();
            if (!Arrays.equals(shape, t.shape())) {
                different.add("shape of '" + e.getKey() + "': expected " + Arrays.toString(t.shape()) + ", found "
                        + Arrays.toString(shape));
            }
            if (dtypes.get(e.getKey()) != t.dtype()) {
                different.add("dtype of '" + e.getKey() + "': expected " + t.dtype() + ", found " + dtypes.get(e.getKey())
                        + " (convert the model with to(DType), or the tensors, before loading)");
            }
        }
        for (String k : shapes.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty() && different.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) {
            sb.append("  missing keys (").append(missing.size()).append("): ").append(cut(missing)).append('\n');
        }
        if (!unexpected.isEmpty()) {
            sb.append("  unexpected keys (").append(unexpected.size()).append("): ").append(cut(unexpected)).append('\n');
        }
        for (String d : different.subList(0, Math.min(different.size(), 20))) {
            sb.append("  ").append(d).append('\n');
        }
        if (different.size() > 20) {
            sb.append("  ... and ").append(different.size() - 20).append(" more shape or dtype differences\n");
        }
        return sb.toString();
    }

    private static String cut(List<String> names) {
        if (names.size() <= 20) {
            return names.toString();
        }
        return names.subList(0, 20) + " ... and " + (names.size() - 20) + " more";
    }

    /**
     * Runs {@link #forward} with some parameters or buffers temporarily replaced, like PyTorch's
     * {@code torch.func.functional_call}; the originals are restored afterwards, even on an exception.
     * This turns a module into a function of its parameters, which is what {@code GradCheck} needs:
     *
     * <pre>{@code
     * List<String> names = List.copyOf(layer.namedParameters().keySet());
     * GradCheck.assertGradientsMatch(in -> layer.functionalCall(
     *         Map.of(names.get(0), in[1], names.get(1), in[2]), in[0]), x, weight, bias);
     * }</pre>
     *
     * @param replacements tensors by dotted name; each must have the shape and dtype of the one it replaces
     * @param input        the forward's input
     * @return the forward's output
     * @throws IllegalArgumentException when a name is unknown or a replacement's shape or dtype differs
     */
    public final Tensor functionalCall(Map<String, Tensor> replacements, Tensor input) {
        List<Runnable> restore = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Runnable> swap = new ArrayList<>();
        Map<String, Module> modules = namedModules();
        for (var e : replacements.entrySet()) {
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            Module owner = modules.get(dot < 0 ? "" : name.substring(0, dot));
            String local = name.substring(dot + 1);
            Map<String, Tensor> table = owner == null ? null
                    : owner.parameters.containsKey(local) ? owner.parameters
                    : owner.buffers.containsKey(local) ? owner.buffers : null;
            if (table == null) {
                problems.add("unknown name '" + name + "'");
                continue;
            }
            Tensor old = table.get(local);
            Tensor neu = Objects.requireNonNull(e.getValue(), "functionalCall: the tensor for '" + name + "' is null");
            if (!Arrays.equals(old.shape(), neu.shape()) || old.dtype() != neu.dtype()) {
                problems.add("'" + name + "' is " + old.dtype() + " " + Arrays.toString(old.shape()) + " but the replacement is "
                        + neu.dtype() + " " + Arrays.toString(neu.shape()));
                continue;
            }
            swap.add(() -> table.put(local, neu));
            restore.add(() -> table.put(local, old));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("functionalCall: " + String.join("; ", problems) + ". The names are "
                    + stateDict().keySet());
        }
        try {
            swap.forEach(Runnable::run);
            return forward(input);
        } finally {
            restore.forEach(Runnable::run);
        }
    }

    // ---------------------------------------------------------------- printing

    /**
     * The layer's settings for {@link #toString()}, e.g. {@code "in=2, out=16, bias=true"}; empty by default.
     *
     * @return a short description of the configuration
     */
    protected String extraRepr() {
        return "";
    }

    /**
     * The module tree, like PyTorch's repr, with each module's own tensors (shape, and dtype when it is
     * not FLOAT64) and parameter counts:
     *
     * <pre>
     * MLP(sizes=[2, 16, 1]
     *   (0): Linear(in=2, out=16, bias=true)  weight [16, 2], bias [16]  (48 params)
     *   (1): ReLU()
     *   (2): Linear(in=16, out=1, bias=true)  weight [1, 16], bias [1]  (17 params)
     * )  (65 params)
     * </pre>
     *
     * @return a multi-line description
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "");
        return sb.toString();
    }

    private void describe(StringBuilder sb, String indent) {
        sb.append(getClass().getSimpleName()).append('(').append(extraRepr());
        StringBuilder own = new StringBuilder();
        for (var e : parameters.entrySet()) {
            own.append(own.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(shapeOf(e.getValue()));
            if (!e.getValue().requiresGrad()) {
                own.append(" frozen");
            }
        }
        for (var e : buffers.entrySet()) {
            own.append(own.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(shapeOf(e.getValue()))
                    .append(" buffer");
        }
        String count = parameterCount() > 0 ? "  (" + String.format(java.util.Locale.ROOT, "%,d", parameterCount())
                + " params)" : "";
        if (children.isEmpty()) {
            sb.append(')');
            if (own.length() > 0) {
                sb.append("  ").append(own);
            }
            sb.append(count);
            return;
        }
        if (own.length() > 0) {
            sb.append(extraRepr().isEmpty() ? "" : "; ").append(own);
        }
        sb.append('\n');
        String inner = indent + "  ";
        for (var e : children.entrySet()) {
            sb.append(inner).append('(').append(e.getKey()).append("): ");
            e.getValue().describe(sb, inner);
            sb.append('\n');
        }
        sb.append(indent).append(')').append(count);
    }

    private static String shapeOf(Tensor t) {
        return Arrays.toString(t.shape()) + (t.dtype() == DType.FLOAT64 ? "" : " " + t.dtype());
    }
}
