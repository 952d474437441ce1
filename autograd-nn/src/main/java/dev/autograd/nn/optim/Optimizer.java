package dev.autograd.nn.optim;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every optimizer: it holds the parameters, the learning rate, and per-parameter state
 * (moment estimates, momentum buffers, step counts), and updates the parameters <em>in place</em> inside
 * {@link Autograd#noGrad()}, so that the tensor objects a model holds stay its parameters.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(model.parameters(), 1e-3);
 * for (Batch b : loader) {
 *     opt.zeroGrad();
 *     Tensor loss = Losses.crossEntropy(model.forward(b.features()), b.targetsAsInts());
 *     loss.backward();
 *     opt.step();
 * }
 * }</pre>
 *
 * <p>A parameter whose {@code grad()} is {@code null} (unused in the loss, or frozen) is skipped by
 * {@link #step()}, and its step count does not advance, as in PyTorch. The state can be read with
 * {@link #state()} (a snapshot of named tensors that {@code SafeTensors.write} can save) and restored with
 * {@link #loadState(Map)} to resume training exactly.
 */
public abstract class Optimizer {

    /** The key of the learning rate in {@link #state()}. */
    public static final String LEARNING_RATE_KEY = "lr";

    private final List<Tensor> parameters;
    private final long[] steps;
    private final List<Map<String, Tensor>> perParameter;
    private double learningRate;

    /**
     * Registers the parameters to optimise.
     *
     * @param parameters   leaves that require grad, each once; e.g. {@code model.parameters()}
     * @param learningRate the initial learning rate, at least 0
     * @throws IllegalArgumentException when the list is empty, holds a tensor twice, or holds a tensor that
     *                                  is not a leaf requiring grad, or when the learning rate is invalid
     */
    protected Optimizer(Iterable<Tensor> parameters, double learningRate) {
        List<Tensor> list = new ArrayList<>();
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (Tensor p : parameters) {
            if (p == null) {
                throw new IllegalArgumentException(name() + ": parameter " + list.size() + " is null");
            }
            Integer before = seen.put(p, list.size());
            if (before != null) {
                throw new IllegalArgumentException(name() + ": parameter " + list.size() + " is the same tensor as parameter "
                        + before + "; give each parameter once");
            }
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException(name() + ": parameter " + list.size() + " (shape "
                        + Arrays.toString(p.shape()) + ") must be a leaf that requires grad; "
                        + (p.isLeaf() ? "call requiresGrad(true) on it" : "it was computed by '" + p.gradFn().name()
                        + "'; optimise the leaf it came from"));
            }
            list.add(p);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException(name() + ": got an empty parameter list; pass model.parameters()");
        }
        this.parameters = Collections.unmodifiableList(list);
        this.steps = new long[list.size()];
        this.perParameter = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            perParameter.add(new LinkedHashMap<>());
        }
        setLearningRate(learningRate);
    }

    /**
     * One update of every parameter that has a gradient, in place, inside {@link Autograd#noGrad()}.
     * Gradients are read, never modified.
     */
    public final void step() {
        try (var scope = Autograd.noGrad()) {
            for (int i = 0; i < parameters.size(); i++) {
                Tensor p = parameters.get(i);
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                steps[i]++;
                update(p, g.detach(), perParameter.get(i), steps[i]);
            }
        }
    }

    /**
     * Updates one parameter in place. Called inside {@link Autograd#noGrad()}.
     *
     * @param param the parameter, to modify with the {@code ...InPlace} ops
     * @param grad  its gradient; must not be modified (it may share storage with other gradients)
     * @param state this parameter's state tensors by name, initially empty; create them on the first step
     *              and update them in place or replace them
     * @param step  the number of updates of this parameter including this one (1 on the first)
     */
    protected abstract void update(Tensor param, Tensor grad, Map<String, Tensor> state, long step);

    /**
     * The names of the per-parameter state tensors this optimizer keeps (each of its parameter's shape),
     * given its settings; {@link #loadState(Map)} checks them.
     *
     * @return the names, e.g. {@code exp_avg} and {@code exp_avg_sq} for Adam
     */
    protected abstract List<String> stateNames();

    /** Forgets the gradient of every parameter ({@code grad()} becomes {@code null}). */
    public final void zeroGrad() {
        for (Tensor p : parameters) {
            p.zeroGrad();
        }
    }

    /** @return the current learning rate */
    public final double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate used by the next {@link #step()} (what a learning-rate schedule does).
     *
     * @param learningRate a finite value, at least 0
     * @throws IllegalArgumentException when the value is negative or not finite
     */
    public final void setLearningRate(double learningRate) {
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(name() + ": the learning rate must be finite and >= 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** @return the optimised parameters in order, unmodifiable */
    public final List<Tensor> parameters() {
        return parameters;
    }

    /**
     * How many updates parameter {@code index} has received.
     *
     * @param index the parameter's position in {@link #parameters()}
     * @return its step count
     */
    public final long stepCount(int index) {
        return steps[index];
    }

    /**
     * A snapshot of the optimizer's state as named tensors (copies, unaffected by later steps), ordered:
     * {@code "lr"} (0-d), then for each parameter {@code i} with at least one step {@code "param.i.step"}
     * (0-d) and its state tensors {@code "param.i.<name>"} (e.g. {@code "param.0.exp_avg"}). Save it with
     * {@code SafeTensors.write(opt.state(), path)}.
     *
     * @return an ordered map of new tensors
     */
    public final Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(LEARNING_RATE_KEY, Tensor.scalar(learningRate));
        for (int i = 0; i < parameters.size(); i++) {
            if (steps[i] == 0) {
                continue;
            }
            out.put("param." + i + ".step", Tensor.scalar(steps[i]));
            for (var e : perParameter.get(i).entrySet()) {
                out.put("param." + i + "." + e.getKey(), copyOf(e.getValue()));
            }
        }
        return out;
    }

    /**
     * Restores a state from {@link #state()} of an optimizer of the same kind and settings over parameters
     * of the same shapes, so that training resumes exactly where it was saved. The tensors are copied.
     * Everything is checked first; on a mismatch nothing changes and the exception lists every problem.
     *
     * @param state the saved state
     * @throws IllegalArgumentException when a key is unknown or missing, or a shape or dtype differs
     */
    public final void loadState(Map<String, Tensor> state) {
        List<String> problems = new ArrayList<>();
        Tensor lr = state.get(LEARNING_RATE_KEY);
        if (lr == null || lr.numel() != 1) {
            problems.add("'" + LEARNING_RATE_KEY + "' is missing or not a single value");
        }
        long[] newSteps = new long[parameters.size()];
        List<Map<String, Tensor>> newState = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            newState.add(new LinkedHashMap<>());
        }
        List<String> names = stateNames();
        for (var e : state.entrySet()) {
            String key = e.getKey();
            if (key.equals(LEARNING_RATE_KEY)) {
                continue;
            }
            String[] parts = key.split("\\.", 3);
            int index = -1;
            if (parts.length == 3 && parts[0].equals("param")) {
                try {
                    index = Integer.parseInt(parts[1]);
                } catch (NumberFormatException ignored) {
                    index = -1;
                }
            }
            if (index < 0 || index >= parameters.size()) {
                problems.add("unexpected key '" + key + "'");
                continue;
            }
            Tensor t = e.getValue();
            if (parts[2].equals("step")) {
                double v = t.numel() == 1 ? t.toDoubleArray()[0] : -1;
                if (v < 0 || v != Math.rint(v)) {
                    problems.add("'" + key + "' must hold one whole number >= 0");
                } else {
                    newSteps[index] = (long) v;
                }
            } else if (names.contains(parts[2])) {
                Tensor p = parameters.get(index);
                if (!Arrays.equals(t.shape(), p.shape()) || t.dtype() != p.dtype()) {
                    problems.add("'" + key + "' is " + t.dtype() + " " + Arrays.toString(t.shape()) + " but parameter "
                            + index + " is " + p.dtype() + " " + Arrays.toString(p.shape()));
                } else {
                    newState.get(index).put(parts[2], t);
                }
            } else {
                problems.add("unexpected key '" + key + "' (" + name() + " keeps " + names + " per parameter)");
            }
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (newSteps[i] > 0 && !newState.get(i).keySet().equals(new java.util.HashSet<>(names))) {
                Set<String> missing = new java.util.TreeSet<>(names);
                missing.removeAll(newState.get(i).keySet());
                problems.add("parameter " + i + " has taken steps but lacks " + missing);
            } else if (newSteps[i] == 0 && !newState.get(i).isEmpty()) {
                problems.add("parameter " + i + " has state " + newState.get(i).keySet() + " but no 'param." + i + ".step'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name() + ".loadState: the state does not fit this optimizer:\n  "
                    + String.join("\n  ", problems));
        }
        setLearningRate(lr.toDoubleArray()[0]);
        for (int i = 0; i < parameters.size(); i++) {
            steps[i] = newSteps[i];
            Map<String, Tensor> target = perParameter.get(i);
            target.clear();
            // Keep the order of stateNames so that state() round-trips in the same order.
            for (String n : names) {
                Tensor t = newState.get(i).get(n);
                if (t != null) {
                    target.put(n, copyOf(t));
                }
            }
        }
    }

    /**
     * A copy that shares nothing with {@code t}, of its shape and dtype, not requiring grad.
     *
     * @param t the tensor to copy
     * @return a new tensor
     */
    protected static Tensor copyOf(Tensor t) {
        try (var scope = Autograd.noGrad()) {
            return Tensor.zerosLike(t).copyFrom(t.detach());
        }
    }

    /**
     * Zeros of the shape and dtype of {@code t}; for initial state.
     *
     * @param t the template
     * @return a new tensor
     */
    protected static Tensor zerosLike(Tensor t) {
        return Tensor.zerosLike(t);
    }

    /**
     * Checks that a hyperparameter is a finite number in a range; for constructors.
     *
     * @param what  the name for the message
     * @param value the value
     * @param min   the smallest allowed value
     * @param max   the largest allowed value
     * @param maxInclusive whether {@code max} itself is allowed
     * @return the value
     */
    protected final double checkRange(String what, double value, double min, double max, boolean maxInclusive) {
        boolean ok = value >= min && (maxInclusive ? value <= max : value < max) && Double.isFinite(value);
        if (!ok) {
            String range = max == Double.MAX_VALUE ? "a finite number >= " + min
                    : "in [" + min + ", " + max + (maxInclusive ? "]" : ")");
            throw new IllegalArgumentException(name() + ": " + what + " must be " + range + ", got " + value);
        }
        return value;
    }

    private String name() {
        return getClass().getSimpleName();
    }
}
