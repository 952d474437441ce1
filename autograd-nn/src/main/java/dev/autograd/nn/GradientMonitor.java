package dev.autograd.nn;

import dev.autograd.Tensor;
import dev.autograd.nn.optim.Optimizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how gradients flow through a {@link Module}: after each backward pass it measures, per parameter
 * and per layer, the gradient's L2 norm and the weights' L2 norm, and around each optimizer step the
 * update-to-weight ratio {@code ||w_after - w_before|| / ||w_before||}. It warns through SLF4J, naming the
 * layer and the usual remedies, when gradients vanish or explode, and keeps every measurement as data
 * ({@link #history()}), so a program or a test can read what a learner would read in the log.
 *
 * <pre>{@code
 * GradientMonitor monitor = new GradientMonitor(model);
 * for (int step = 0; step < steps; step++) {
 *     opt.zeroGrad();
 *     Losses.mse(model.forward(x), y).backward();
 *     monitor.beforeStep();      // gradient and weight norms, warnings, a copy of the weights
 *     opt.step();
 *     monitor.afterStep();       // update-to-weight ratios; the step goes into history()
 * }
 * // or monitor.step(opt) for the last three lines; or monitor.record() after backward alone
 * System.out.println(monitor.last().toTable());
 * }</pre>
 *
 * <p><b>Layers.</b> A parameter belongs to the module that registered it: {@code "0.weight"} and
 * {@code "0.bias"} form layer {@code "0"}, {@code "blocks.2.fn.0.weight"} layer {@code "blocks.2.fn.0"}
 * (parameters of the root module itself form layer {@code "(root)"}); another grouping can be passed to
 * {@link #GradientMonitor(Module, Thresholds, Function)}. A layer's
 * norm is the L2 norm of all its parameters together. Layers are ordered as the module registers them,
 * which for a {@link Sequential} or an {@link MLP} is input first.
 *
 * <p><b>What is flagged</b> (each a {@link Warning} of the step, logged at WARN):
 * <ul>
 *   <li>{@link Kind#NON_FINITE}: a layer's gradient holds NaN or infinity.</li>
 *   <li>{@link Kind#EXPLODING}: a layer's gradient norm is above {@link Thresholds#exploding()}.</li>
 *   <li>{@link Kind#VANISHING}: an earlier layer's gradient norm is below {@link Thresholds#vanishing()},
 *       or below {@link Thresholds#relativeVanishing()} times the largest norm of the layers after it, while
 *       some later layer is still above {@link Thresholds#vanishing()}: the signal dies on its way back to the
 *       input. When every layer is below {@link Thresholds#vanishing()} a single warning names the whole
 *       model (it has either converged, or its gradients vanish everywhere; the loss tells which).</li>
 *   <li>{@link Kind#LARGE_UPDATE}: a layer's update-to-weight ratio is above {@link Thresholds#maxUpdateRatio()}
 *       (about {@code 1e-3} is typical of healthy training).</li>
 * </ul>
 * Each warning names one layer; the log gets one line per kind and step listing the layers and the remedies,
 * and to keep a long run's log readable a kind is logged again only after {@link Thresholds#logInterval()}
 * steps. Every step's warnings are in its {@link StepRecord} regardless.
 *
 * <p>Norms are accumulated in double precision from copies of the data; measuring does not record a graph.
 * The monitor is not thread-safe, like the module it watches.
 */
public final class GradientMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(GradientMonitor.class);

    /** The layer name used for parameters registered on the root module itself. */
    public static final String ROOT_LAYER = "(root)";

    /** The layer name of a warning about the whole model rather than one layer. */
    public static final String ALL_LAYERS = "(all layers)";

    private final Module model;
    private final Thresholds thresholds;
    private final Function<String, String> layerOf;
    private final List<StepRecord> history = new ArrayList<>();
    private final Map<Kind, Integer> lastLogged = new java.util.EnumMap<>(Kind.class);
    private Pending pending;
    private int nextStep;

    /**
     * A monitor with the {@link Thresholds#defaults() default thresholds}.
     *
     * @param model the module whose parameters to watch
     */
    public GradientMonitor(Module model) {
        this(model, Thresholds.defaults());
    }

    /**
     * A monitor with the given thresholds, grouping parameters by the module that registered them.
     *
     * @param model      the module whose parameters to watch
     * @param thresholds when to warn
     */
    public GradientMonitor(Module model, Thresholds thresholds) {
        this(model, thresholds, GradientMonitor::owningModule);
    }

    /**
     * A monitor with the given thresholds and grouping of parameters into layers.
     *
     * @param model      the module whose parameters to watch
     * @param thresholds when to warn
     * @param layerOf    maps a dotted parameter name ({@code "encoder.0.weight"}) to its layer's name
     *                   ({@code "encoder"}, say); layers are ordered by their first parameter
     */
    public GradientMonitor(Module model, Thresholds thresholds, Function<String, String> layerOf) {
        this.model = Objects.requireNonNull(model, "GradientMonitor: model");
        this.thresholds = Objects.requireNonNull(thresholds, "GradientMonitor: thresholds");
        this.layerOf = Objects.requireNonNull(layerOf, "GradientMonitor: layerOf");
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Measures the gradients left by the last backward pass (no optimizer step around it), checks them,
     * logs any warning and appends the step to {@link #history()}; the update fields are {@code NaN}.
     * Use it to look at a network at initialisation.
     *
     * @return the recorded step
     * @throws IllegalStateException when a {@link #beforeStep()} is waiting for its {@link #afterStep()}
     */
    public StepRecord record() {
        requireNoPending("record");
        Pending p = measure(false);
        log(p.gradWarnings, p.provisional.layers());
        return finish(p, null);
    }

    /**
     * Measures the gradients and weights before an optimizer step, checks the gradients and logs any warning,
     * and keeps a copy of the weights for {@link #afterStep()}.
     *
     * @return the step so far (update fields {@code NaN}); {@link #afterStep()} returns it complete
     * @throws IllegalStateException when the previous {@code beforeStep()} has not been followed by
     *                               {@code afterStep()}
     */
    public StepRecord beforeStep() {
        requireNoPending("beforeStep");
        pending = measure(true);
        log(pending.gradWarnings, pending.provisional.layers());
        return pending.provisional;
    }

    /**
     * Measures how far the optimizer step moved each parameter, checks the update-to-weight ratios, and
     * appends the completed step to {@link #history()}.
     *
     * @return the completed step
     * @throws IllegalStateException when no {@link #beforeStep()} came first
     */
    public StepRecord afterStep() {
        if (pending == null) {
            throw new IllegalStateException("GradientMonitor.afterStep: call beforeStep() before the optimizer's"
                    + " step() and afterStep() after it");
        }
        Pending p = pending;
        pending = null;
        Map<String, Tensor> params = model.namedParameters();
        double[] updateNorms = new double[p.names.size()];
        for (int i = 0; i < p.names.size(); i++) {
            Tensor t = params.get(p.names.get(i));
            double[] before = p.weights.get(i);
            if (t == null || t.numel() != before.length) {
                throw new IllegalStateException("GradientMonitor.afterStep: parameter '" + p.names.get(i)
                        + "' was replaced or reshaped between beforeStep() and afterStep()");
            }
            double[] after = t.toDoubleArray();
            double sum = 0;
            for (int k = 0; k < after.length; k++) {
                double d = after[k] - before[k];
                sum += d * d;
            }
            updateNorms[i] = Math.sqrt(sum);
        }
        return finish(p, updateNorms);
    }

    /**
     * {@link #beforeStep()}, {@code optimizer.step()}, {@link #afterStep()}.
     *
     * @param optimizer the optimizer of the watched model's parameters
     * @return the completed step
     */
    public StepRecord step(Optimizer optimizer) {
        beforeStep();
        optimizer.step();
        return afterStep();
    }

    // ---------------------------------------------------------------- reading

    /** @return every recorded step, oldest first (an unmodifiable copy) */
    public List<StepRecord> history() {
        return List.copyOf(history);
    }

    /**
     * The most recent completed step.
     *
     * @return the last entry of {@link #history()}
     * @throws IllegalStateException when nothing has been recorded yet
     */
    public StepRecord last() {
        if (history.isEmpty()) {
            throw new IllegalStateException("GradientMonitor.last: nothing recorded yet; call record(), or"
                    + " beforeStep()/afterStep() around the optimizer step, after backward()");
        }
        return history.get(history.size() - 1);
    }

    /** @return every warning of every recorded step, oldest first */
    public List<Warning> warnings() {
        List<Warning> all = new ArrayList<>();
        for (StepRecord r : history) {
            all.addAll(r.warnings());
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * One layer's gradient norm over the recorded steps, e.g. to draw it.
     *
     * @param layer a layer name, as in {@link LayerStats#layer()}
     * @return one value per recorded step ({@code NaN} where the layer had no gradient)
     */
    public double[] gradNormHistory(String layer) {
        double[] out = new double[history.size()];
        for (int i = 0; i < out.length; i++) {
            LayerStats s = history.get(i).layer(layer);
            out[i] = s == null || !s.hasGradient() ? Double.NaN : s.gradNorm();
        }
        return out;
    }

    /** @return the thresholds in use */
    public Thresholds thresholds() {
        return thresholds;
    }

    /** Forgets the history (the log's repeat suppression too) and any pending {@link #beforeStep()}. */
    public void reset() {
        history.clear();
        lastLogged.clear();
        pending = null;
        nextStep = 0;
    }

    // ---------------------------------------------------------------- internals

    private void requireNoPending(String method) {
        if (pending != null) {
            throw new IllegalStateException("GradientMonitor." + method + ": beforeStep() of step " + pending.step
                    + " is still waiting for afterStep(); call afterStep() after the optimizer's step()");
        }
    }

    /** What beforeStep measured, waiting for the update. */
    private static final class Pending {
        int step;
        List<String> names = new ArrayList<>();
        List<String> layers = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        double[] gradNorms;
        double[] weightNorms;
        boolean[] hasGrad;
        int[] numels;
        List<Warning> gradWarnings;
        StepRecord provisional;
    }

    private Pending measure(boolean keepWeights) {
        Pending p = new Pending();
        p.step = nextStep;
        Map<String, Tensor> params = model.namedParameters();
        int n = params.size();
        p.gradNorms = new double[n];
        p.weightNorms = new double[n];
        p.hasGrad = new boolean[n];
        p.numels = new int[n];
        int i = 0;
        for (var e : params.entrySet()) {
            Tensor t = e.getValue();
            p.names.add(e.getKey());
            p.layers.add(Objects.requireNonNull(layerOf.apply(e.getKey()), "GradientMonitor: layerOf returned null"));
            double[] w = t.toDoubleArray();
            p.weightNorms[i] = norm(w);
            p.numels[i] = w.length;
            if (keepWeights) {
                p.weights.add(w);
            }
            Tensor g = t.grad();
            p.hasGrad[i] = g != null;
            p.gradNorms[i] = g == null ? 0 : norm(g.toDoubleArray());
            i++;
        }
        StepRecord partial = assemble(p, null, List.of());
        p.gradWarnings = gradientWarnings(p.step, partial.layers());
        p.provisional = new StepRecord(p.step, partial.parameters(), partial.layers(), partial.totalGradNorm(),
                p.gradWarnings);
        return p;
    }

    private StepRecord finish(Pending p, double[] updateNorms) {
        StepRecord withUpdates = assemble(p, updateNorms, List.of());
        List<Warning> warnings = new ArrayList<>(p.gradWarnings);
        if (updateNorms != null) {
            List<Warning> large = updateWarnings(p.step, withUpdates.layers());
            log(large, withUpdates.layers());
            warnings.addAll(large);
        }
        StepRecord record = new StepRecord(p.step, withUpdates.parameters(), withUpdates.layers(),
                withUpdates.totalGradNorm(), warnings);
        history.add(record);
        nextStep = p.step + 1;
        return record;
    }

    private StepRecord assemble(Pending p, double[] updateNorms, List<Warning> warnings) {
        List<ParameterStats> parameters = new ArrayList<>();
        Map<String, double[]> sums = new LinkedHashMap<>(); // layer -> {grad^2, weight^2, update^2, numel, anyGrad}
        double total = 0;
        for (int i = 0; i < p.names.size(); i++) {
            double upd = updateNorms == null ? Double.NaN : updateNorms[i];
            parameters.add(new ParameterStats(p.names.get(i), p.layers.get(i), p.numels[i], p.hasGrad[i],
                    p.gradNorms[i], p.weightNorms[i], upd, ratio(upd, p.weightNorms[i])));
            double[] s = sums.computeIfAbsent(p.layers.get(i), k -> new double[5]);
            if (p.hasGrad[i]) {
                s[0] += p.gradNorms[i] * p.gradNorms[i];
                s[4] = 1;
                total += p.gradNorms[i] * p.gradNorms[i];
            }
            s[1] += p.weightNorms[i] * p.weightNorms[i];
            s[2] += upd * upd;
            s[3] += p.numels[i];
        }
        Map<String, Module> modules = model.namedModules();
        List<LayerStats> layers = new ArrayList<>();
        for (var e : sums.entrySet()) {
            double[] s = e.getValue();
            String layer = e.getKey();
            Module m = modules.get(layer.equals(ROOT_LAYER) ? "" : layer);
            String type = m == null ? "" : m.getClass().getSimpleName();
            double weightNorm = Math.sqrt(s[1]);
            double updateNorm = Math.sqrt(s[2]);
            layers.add(new LayerStats(layer, type, (long) s[3], s[4] > 0, Math.sqrt(s[0]), weightNorm, updateNorm,
                    ratio(updateNorm, weightNorm)));
        }
        return new StepRecord(p.step, parameters, layers, Math.sqrt(total), warnings);
    }

    private List<Warning> gradientWarnings(int step, List<LayerStats> layers) {
        List<Warning> out = new ArrayList<>();
        List<LayerStats> withGrad = new ArrayList<>();
        for (LayerStats l : layers) {
            if (l.hasGradient()) {
                withGrad.add(l);
            }
        }
        for (LayerStats l : withGrad) {
            if (!Double.isFinite(l.gradNorm())) {
                out.add(warning(step, Kind.NON_FINITE, l.layer(), l.gradNorm(), String.format(Locale.ROOT,
                        "layer %s: the gradient holds NaN or infinity (norm %s)", l.describe(), l.gradNorm())));
            } else if (l.gradNorm() > thresholds.exploding()) {
                out.add(warning(step, Kind.EXPLODING, l.layer(), l.gradNorm(), String.format(Locale.ROOT,
                        "layer %s: gradient norm %.3g is above %.3g", l.describe(), l.gradNorm(),
                        thresholds.exploding())));
            }
        }
        boolean anyHealthy = false;
        for (LayerStats l : withGrad) {
            anyHealthy |= Double.isFinite(l.gradNorm()) && l.gradNorm() >= thresholds.vanishing();
        }
        if (!withGrad.isEmpty() && !anyHealthy && allFinite(withGrad)) {
            double max = 0;
            for (LayerStats l : withGrad) {
                max = Math.max(max, l.gradNorm());
            }
            out.add(warning(step, Kind.VANISHING, ALL_LAYERS, max, String.format(Locale.ROOT,
                    "every layer's gradient norm is below %.3g (the largest is %.3g): the model has converged"
                            + " (check that the loss is small) or its gradients vanish everywhere",
                    thresholds.vanishing(), max)));
            return out;
        }
        // Walk from the output back to the input, keeping the largest finite norm seen in the later layers.
        double laterMax = 0;
        LayerStats later = null;
        List<Warning> vanishing = new ArrayList<>();
        for (int i = withGrad.size() - 1; i >= 0; i--) {
            LayerStats l = withGrad.get(i);
            double g = l.gradNorm();
            if (!Double.isFinite(g)) {
                continue;
            }
            boolean laterHealthy = laterMax >= thresholds.vanishing();
            if (laterHealthy && (g < thresholds.vanishing() || g < thresholds.relativeVanishing() * laterMax)) {
                vanishing.add(warning(step, Kind.VANISHING, l.layer(), g, String.format(Locale.ROOT,
                        "layer %s: gradient norm %.3g is %.1e times that of later layer %s (%.3g)", l.describe(), g,
                        g / laterMax, later.describe(), laterMax)));
            }
            if (g > laterMax) {
                laterMax = g;
                later = l;
            }
        }
        Collections.reverse(vanishing); // input first, like the layers
        out.addAll(vanishing);
        return out;
    }

    private List<Warning> updateWarnings(int step, List<LayerStats> layers) {
        List<Warning> out = new ArrayList<>();
        for (LayerStats l : layers) {
            if (l.updateToWeight() > thresholds.maxUpdateRatio()) {
                out.add(warning(step, Kind.LARGE_UPDATE, l.layer(), l.updateToWeight(), String.format(Locale.ROOT,
                        "layer %s: the step changed the weights by %.3g of their norm (above %.3g; about 1e-3 is"
                                + " typical)", l.describe(), l.updateToWeight(), thresholds.maxUpdateRatio())));
            }
        }
        return out;
    }

    private Warning warning(int step, Kind kind, String layer, double value, String message) {
        return new Warning(step, kind, layer, value, message, remedies(kind));
    }

    /**
     * Logs one line per kind for the given warnings of one step (unless that kind was logged less than
     * {@link Thresholds#logInterval()} steps ago): the layers with their values, the context and the remedies.
     */
    private void log(List<Warning> warnings, List<LayerStats> layers) {
        Map<Kind, List<Warning>> byKind = new java.util.EnumMap<>(Kind.class);
        for (Warning w : warnings) {
            byKind.computeIfAbsent(w.kind(), k -> new ArrayList<>()).add(w);
        }
        for (var e : byKind.entrySet()) {
            List<Warning> ws = e.getValue();
            int step = ws.get(0).step();
            Integer previous = lastLogged.get(e.getKey());
            if (previous != null && step - previous < thresholds.logInterval() && step >= previous) {
                continue;
            }
            lastLogged.put(e.getKey(), step);
            StringBuilder sb = new StringBuilder("step ").append(step).append(": ");
            if (ws.size() == 1 && ws.get(0).layer().equals(ALL_LAYERS)) {
                sb.append(ws.get(0).message());
            } else {
                sb.append(title(e.getKey())).append(" in ").append(ws.size()).append(" of ").append(layers.size())
                        .append(" layers (");
                for (int i = 0; i < ws.size(); i++) {
                    sb.append(i == 0 ? "'" : ", '").append(ws.get(i).layer()).append("' ")
                            .append(String.format(Locale.ROOT, "%.2g", ws.get(i).value()));
                }
                sb.append(')').append(context(e.getKey(), layers));
            }
            sb.append(". ").append(ws.get(0).remedies());
            LOG.warn(sb.toString());
        }
    }

    private String context(Kind kind, List<LayerStats> layers) {
        switch (kind) {
            case VANISHING: {
                LayerStats largest = null;
                for (LayerStats l : layers) {
                    if (l.hasGradient() && Double.isFinite(l.gradNorm())
                            && (largest == null || l.gradNorm() > largest.gradNorm())) {
                        largest = l;
                    }
                }
                return largest == null ? "" : String.format(Locale.ROOT, ", against a gradient norm of %.3g in"
                        + " later layer %s", largest.gradNorm(), largest.describe());
            }
            case EXPLODING:
                return String.format(Locale.ROOT, ": gradient norms above %.3g", thresholds.exploding());
            case LARGE_UPDATE:
                return String.format(Locale.ROOT, ": update-to-weight ratios above %.3g (about 1e-3 is typical)",
                        thresholds.maxUpdateRatio());
            default:
                return "";
        }
    }

    private static String title(Kind kind) {
        switch (kind) {
            case VANISHING:
                return "vanishing gradients";
            case EXPLODING:
                return "exploding gradients";
            case NON_FINITE:
                return "NaN or infinite gradients";
            case LARGE_UPDATE:
                return "large updates";
            default:
                throw new AssertionError(kind);
        }
    }

    private String remedies(Kind kind) {
        switch (kind) {
            case VANISHING: {
                String saturating = saturatingActivation();
                return "Remedies: " + (saturating != null ? "replace the " + saturating + " activations by ReLU (or GELU,"
                        + " LeakyReLU), which do not saturate; " : "use ReLU (or GELU) instead of sigmoid/tanh; ")
                        + "initialise with Init.kaimingNormal (ReLU) or Init.xavierNormal (tanh) instead of small"
                        + " weights; add normalisation (LayerNorm, BatchNorm1d); add residual connections (Residual).";
            }
            case EXPLODING:
                return "Remedies: clip gradients (GradClip.clipGradNorm(model.parameters(), 1.0)) before the step;"
                        + " use a smaller learning rate; initialise with smaller weights (Init.kaimingNormal,"
                        + " Init.xavierNormal); add normalisation (LayerNorm, BatchNorm1d).";
            case NON_FINITE:
                return "Remedies: use a smaller learning rate; clip gradients (GradClip.clipGradNorm); check the loss"
                        + " for log(0) or a division by zero (Losses.crossEntropy and"
                        + " binaryCrossEntropyWithLogits take logits and are stable); run backward inside"
                        + " Autograd.detectAnomaly() to find the op that made the first NaN.";
            case LARGE_UPDATE:
                return "Remedies: use a smaller learning rate (or a warm-up schedule); clip gradients"
                        + " (GradClip.clipGradNorm).";
            default:
                throw new AssertionError(kind);
        }
    }

    /** The name of a saturating activation (Sigmoid, Tanh) used in the model, or null. */
    private String saturatingActivation() {
        for (Module m : model.namedModules().values()) {
            if (m instanceof Sigmoid) {
                return "Sigmoid";
            }
            if (m instanceof Tanh) {
                return "Tanh";
            }
        }
        return null;
    }

    private static boolean allFinite(List<LayerStats> layers) {
        for (LayerStats l : layers) {
            if (!Double.isFinite(l.gradNorm())) {
                return false;
            }
        }
        return true;
    }

    private static double ratio(double update, double weight) {
        return Double.isNaN(update) || weight == 0 ? Double.NaN : update / weight;
    }

    private static double norm(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** The default grouping: the dotted path of the module that registered the parameter. */
    private static String owningModule(String parameterName) {
        int dot = parameterName.lastIndexOf('.');
        return dot < 0 ? ROOT_LAYER : parameterName.substring(0, dot);
    }

    // ---------------------------------------------------------------- data

    /** What a warning is about. */
    public enum Kind {
        /** A gradient norm far below the later layers' (or below the absolute threshold everywhere). */
        VANISHING,
        /** A gradient norm above the exploding threshold. */
        EXPLODING,
        /** A gradient holding NaN or infinity. */
        NON_FINITE,
        /** An optimizer step that changed a layer's weights by a large fraction of their norm. */
        LARGE_UPDATE
    }

    /**
     * When the monitor warns.
     *
     * @param vanishing         absolute gradient norm under which a layer counts as vanishing (default
     *                          {@code 1e-7}), when a later layer is above it
     * @param relativeVanishing a layer whose gradient norm is less than this fraction of the largest norm of
     *                          the layers after it counts as vanishing (default {@code 1e-4})
     * @param exploding         gradient norm above which a layer counts as exploding (default {@code 1e3})
     * @param maxUpdateRatio    update-to-weight ratio above which a step counts as too large (default
     *                          {@code 0.5}; healthy training is near {@code 1e-3})
     * @param logInterval       a warning of the same kind and layer is logged again only after this many
     *                          steps (default 100; 1 logs every one); the data keeps them all
     */
    public record Thresholds(double vanishing, double relativeVanishing, double exploding, double maxUpdateRatio,
                             int logInterval) {

        /**
         * Checks the values: a monitor with thresholds that contradict each other would flag every step, or
         * none, so they are refused when the monitor is configured rather than discovered during training.
         *
         * @param vanishing         absolute gradient norm under which a layer counts as vanishing; positive
         * @param relativeVanishing fraction of the largest later-layer norm under which a layer counts as
         *                          vanishing; strictly between 0 and 1
         * @param exploding         gradient norm above which a layer counts as exploding; above {@code vanishing}
         * @param maxUpdateRatio    update-to-weight ratio above which a step counts as too large; positive
         * @param logInterval       steps between two log lines of the same kind and layer; at least 1
         * @throws IllegalArgumentException when a threshold is not positive, the relative one is not below 1,
         *                                  {@code vanishing >= exploding}, or the interval is below 1
         */
        public Thresholds {
            if (!(vanishing > 0) || !(exploding > vanishing) || !(relativeVanishing > 0 && relativeVanishing < 1)
                    || !(maxUpdateRatio > 0) || logInterval < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "GradientMonitor.Thresholds: need"
                        + " 0 < vanishing < exploding, 0 < relativeVanishing < 1, maxUpdateRatio > 0 and"
                        + " logInterval >= 1; got vanishing=%s, relativeVanishing=%s, exploding=%s,"
                        + " maxUpdateRatio=%s, logInterval=%d", vanishing, relativeVanishing, exploding,
                        maxUpdateRatio, logInterval));
            }
        }

        /** @return {@code vanishing 1e-7, relativeVanishing 1e-4, exploding 1e3, maxUpdateRatio 0.5, logInterval 100} */
        public static Thresholds defaults() {
            return new Thresholds(1e-7, 1e-4, 1e3, 0.5, 100);
        }

        /**
         * @param value the new absolute vanishing threshold
         * @return a copy with it
         */
        public Thresholds withVanishing(double value) {
            return new Thresholds(value, relativeVanishing, exploding, maxUpdateRatio, logInterval);
        }

        /**
         * @param value the new relative vanishing threshold
         * @return a copy with it
         */
        public Thresholds withRelativeVanishing(double value) {
            return new Thresholds(vanishing, value, exploding, maxUpdateRatio, logInterval);
        }

        /**
         * @param value the new exploding threshold
         * @return a copy with it
         */
        public Thresholds withExploding(double value) {
            return new Thresholds(vanishing, relativeVanishing, value, maxUpdateRatio, logInterval);
        }

        /**
         * @param value the new largest healthy update-to-weight ratio
         * @return a copy with it
         */
        public Thresholds withMaxUpdateRatio(double value) {
            return new Thresholds(vanishing, relativeVanishing, exploding, value, logInterval);
        }

        /**
         * @param value the new log interval in steps
         * @return a copy with it
         */
        public Thresholds withLogInterval(int value) {
            return new Thresholds(vanishing, relativeVanishing, exploding, maxUpdateRatio, value);
        }
    }

    /**
     * One parameter at one step.
     *
     * @param name           its dotted name, e.g. {@code "0.weight"}
     * @param layer          the layer it belongs to, e.g. {@code "0"}
     * @param numel          its number of elements
     * @param hasGradient    whether it had a gradient (false when unused by the loss, or frozen)
     * @param gradNorm       {@code ||dL/dp||}, 0 without a gradient
     * @param weightNorm     {@code ||p||} before the step
     * @param updateNorm     {@code ||p_after - p_before||}, {@code NaN} when no step was measured
     * @param updateToWeight {@code updateNorm / weightNorm}, {@code NaN} when unmeasured or the weights are 0
     */
    public record ParameterStats(String name, String layer, int numel, boolean hasGradient, double gradNorm,
                                 double weightNorm, double updateNorm, double updateToWeight) {
    }

    /**
     * One layer (a group of parameters) at one step; norms are over all its parameters together.
     *
     * @param layer          the layer's name (a module path such as {@code "0"}, or {@link #ROOT_LAYER})
     * @param type           the simple class name of the module at that path ({@code "Linear"}), or empty
     * @param numel          its number of parameter elements
     * @param hasGradient    whether any of its parameters had a gradient
     * @param gradNorm       the L2 norm of its gradients
     * @param weightNorm     the L2 norm of its parameters before the step
     * @param updateNorm     the L2 norm of the step's change, {@code NaN} when no step was measured
     * @param updateToWeight {@code updateNorm / weightNorm}, {@code NaN} when unmeasured or the weights are 0
     */
    public record LayerStats(String layer, String type, long numel, boolean hasGradient, double gradNorm,
                             double weightNorm, double updateNorm, double updateToWeight) {

        /** @return the layer's name with its module type, e.g. {@code "'0' (Linear)"} */
        public String describe() {
            return "'" + layer + "'" + (type.isEmpty() ? "" : " (" + type + ")");
        }
    }

    /**
     * Something the monitor flagged.
     *
     * @param step    the step it was seen at
     * @param kind    what it is about
     * @param layer    the layer it names ({@link #ALL_LAYERS} for a model-wide warning)
     * @param value    the offending gradient norm or update ratio
     * @param message  what was seen, naming the layer, e.g. {@code "layer '0' (Linear): gradient norm 7.1e-09
     *                 is 6.1e-09 times that of later layer '18' (Linear) (1.16)"}
     * @param remedies the usual cures for this kind of problem, as a sentence
     */
    public record Warning(int step, Kind kind, String layer, double value, String message, String remedies) {

        /** @return {@code "step N: message. remedies"}, the whole story in one line */
        @Override
        public String toString() {
            return "step " + step + ": " + message + ". " + remedies;
        }
    }

    /**
     * Everything measured at one step.
     *
     * @param step          the step number, from 0
     * @param parameters    one entry per parameter, in {@link Module#namedParameters()} order
     * @param layers        one entry per layer, in order of their first parameter (input first for a
     *                      {@link Sequential})
     * @param totalGradNorm the global gradient norm over all parameters (what {@link GradClip#clipGradNorm}
     *                      returns)
     * @param warnings      what was flagged at this step (empty when healthy)
     */
    public record StepRecord(int step, List<ParameterStats> parameters, List<LayerStats> layers, double totalGradNorm,
                             List<Warning> warnings) {

        /**
         * Copies the lists into unmodifiable ones, so that a record kept in the history cannot be changed
         * afterwards by the monitor or by a caller.
         *
         * @param step          the step number, from 0
         * @param parameters    one entry per parameter, in {@link Module#namedParameters()} order
         * @param layers        one entry per layer, in order of their first parameter
         * @param totalGradNorm the global gradient norm over all parameters
         * @param warnings      what was flagged at this step (empty when healthy)
         */
        public StepRecord {
            parameters = List.copyOf(parameters);
            layers = List.copyOf(layers);
            warnings = List.copyOf(warnings);
        }

        /**
         * The statistics of one layer.
         *
         * @param layer its name
         * @return the layer's entry, or {@code null} when there is none of that name
         */
        public LayerStats layer(String layer) {
            for (LayerStats l : layers) {
                if (l.layer().equals(layer)) {
                    return l;
                }
            }
            return null;
        }

        /** @return whether nothing was flagged */
        public boolean healthy() {
            return warnings.isEmpty();
        }

        /**
         * The layers as a text table: layer, type, elements, gradient norm, weight norm, update/weight, flags.
         *
         * @return the table, a header line first
         */
        public String toTable() {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"layer", "type", "params", "grad norm", "weight norm", "update/weight", "flag"});
            for (LayerStats l : layers) {
                StringBuilder flags = new StringBuilder();
                for (Warning w : warnings) {
                    if (w.layer().equals(l.layer())) {
                        flags.append(flags.length() == 0 ? "" : ",").append(w.kind());
                    }
                }
                rows.add(new String[] {l.layer(), l.type(), Long.toString(l.numel()),
                        l.hasGradient() ? fmt(l.gradNorm()) : "-", fmt(l.weightNorm()),
                        Double.isNaN(l.updateToWeight()) ? "-" : fmt(l.updateToWeight()), flags.toString()});
            }
            int[] widths = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int c = 0; c < r.length; c++) {
                    widths[c] = Math.max(widths[c], r[c].length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int r = 0; r < rows.size(); r++) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < widths.length; c++) {
                    String cell = rows.get(r)[c];
                    boolean numeric = c >= 2 && c <= 5;
                    String pad = " ".repeat(widths[c] - cell.length());
                    line.append(numeric ? pad + cell : cell + pad).append(c < widths.length - 1 ? "  " : "");
                }
                sb.append(line.toString().stripTrailing()).append('\n');
                if (r == 0) {
                    int total = 2 * (widths.length - 1);
                    for (int w : widths) {
                        total += w;
                    }
                    sb.append("-".repeat(total)).append('\n');
                }
            }
            sb.append(String.format(Locale.ROOT, "total gradient norm %s", fmt(totalGradNorm))).append('\n');
            for (Warning w : warnings) {
                sb.append("warning: ").append(w.kind()).append(' ').append(w.message()).append('\n');
            }
            return sb.toString();
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
    }
}
