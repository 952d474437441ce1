package dev.autograd.nn.optim;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic loss scaling for mixed-precision training, as PyTorch's {@code torch.amp.GradScaler}.
 *
 * <p>Why: under {@code Autograd.autocast(DType.FLOAT16)} the backward of a matmul or a convolution sees its
 * incoming gradient rounded to float16, whose smallest subnormal is 2<sup>-24</sup> (about 6e-8): smaller
 * gradients become exactly zero and the weights they belong to stop learning. Multiplying the loss by a large
 * factor {@code S} multiplies every gradient of the backward pass by {@code S} (the chain rule is linear in
 * the upstream gradient), which lifts them into float16's range; dividing the float32 gradients of the
 * parameters by {@code S} afterwards gives the true gradients back.
 *
 * <p>The algorithm ({@code S} starts at {@code initScale}, the growth counter {@code n} at 0):
 * <ol>
 *   <li>{@link #scale(Tensor)}: {@code loss * S}; backward on it gives gradients {@code S * g}.</li>
 *   <li>{@link #unscale(Optimizer)}: each gradient of the optimizer's parameters is multiplied in place by
 *       {@code 1 / S} and checked: if any element of the result is infinite or NaN, the iteration is marked
 *       as overflowed (a scale too large for float16 turns large gradients into infinities).</li>
 *   <li>{@link #step(Optimizer)}: unscales if that was not done yet, then calls {@code optimizer.step()}
 *       only when every gradient was finite; otherwise the step is skipped and the parameters and the
 *       optimizer's state (moments, step counts) stay exactly as they were.</li>
 *   <li>{@link #update()}: on overflow {@code S = S * backoffFactor} and {@code n = 0}; otherwise
 *       {@code n = n + 1}, and when {@code n} reaches {@code growthInterval}, {@code S = S * growthFactor}
 *       (kept only if finite in float32) and {@code n = 0}.</li>
 * </ol>
 * So the scale settles just below the largest value that does not overflow: it probes upwards every
 * {@code growthInterval} finite steps, and halves at the first overflow. As in PyTorch the scale is held in
 * float32 (every value it takes is rounded to float32), and {@code 1 / S} is rounded to float32 before the
 * gradients are multiplied by it; with power-of-two factors (the defaults) both are exact.
 *
 * <p>Defaults (PyTorch's): initial scale 2<sup>16</sup> = 65536, growth factor 2, backoff factor 0.5,
 * growth interval 2000, enabled. The typical loop:
 * <pre>{@code
 * GradScaler scaler = new GradScaler();
 * for (Batch b : loader) {
 *     optimizer.zeroGrad();
 *     Tensor loss;
 *     try (var s = Autograd.autocast(DType.FLOAT16)) {
 *         loss = Losses.crossEntropy(model.forward(b.features()), b.targetsAsInts());
 *     }
 *     scaler.scale(loss).backward();
 *     scaler.unscale(optimizer);                          // only needed before touching the gradients:
 *     GradClip.clipGradNorm(model.parameters(), 1.0);     // clipping must see the true gradients
 *     scaler.step(optimizer);                             // skipped when a gradient is inf/NaN
 *     scaler.update();                                    // once per iteration
 * }
 * }</pre>
 *
 * <p>With several optimizers, call {@link #step(Optimizer)} for each and {@link #update()} once: an
 * overflow in any of them backs the scale off. A disabled scaler ({@code enabled = false}) passes
 * everything through: {@link #scale(Tensor)} returns the loss itself, {@link #step(Optimizer)} just steps,
 * and the other calls do nothing, so one training loop serves float32 and mixed precision. Not thread-safe:
 * use one scaler per training loop.
 */
public final class GradScaler {

    /** The key of the scale in {@link #state()}. */
    public static final String SCALE_KEY = "scale";
    /** The key of the growth factor in {@link #state()}. */
    public static final String GROWTH_FACTOR_KEY = "growth_factor";
    /** The key of the backoff factor in {@link #state()}. */
    public static final String BACKOFF_FACTOR_KEY = "backoff_factor";
    /** The key of the growth interval in {@link #state()}. */
    public static final String GROWTH_INTERVAL_KEY = "growth_interval";
    /** The key of the growth counter (finite steps since the last growth or backoff) in {@link #state()}. */
    public static final String GROWTH_TRACKER_KEY = "growth_tracker";

    private static final List<String> KEYS = List.of(SCALE_KEY, GROWTH_FACTOR_KEY, BACKOFF_FACTOR_KEY,
            GROWTH_INTERVAL_KEY, GROWTH_TRACKER_KEY);

    /** Where an optimizer is in the current iteration, as PyTorch's {@code OptState}. */
    private enum Stage {
        UNSCALED, STEPPED
    }

    /** What one optimizer did in the current iteration. */
    private static final class Record {
        Stage stage;
        boolean foundInf;
    }

    private final boolean enabled;
    private float scale;
    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    private int growthTracker;
    /** Per optimizer (by identity) since the last update(); cleared by update(). */
    private final Map<Optimizer, Record> records = new IdentityHashMap<>();

    /** A scaler with PyTorch's defaults: initial scale 65536, growth 2, backoff 0.5, interval 2000, enabled. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000, true);
    }

    /**
     * A scaler with every option.
     *
     * @param initScale      the first scale, positive and finite in float32 (at most about 3.4e38)
     * @param growthFactor   what the scale is multiplied by after {@code growthInterval} finite steps; finite
     *                       and greater than 1
     * @param backoffFactor  what the scale is multiplied by after a step with an inf/NaN gradient; in (0, 1)
     * @param growthInterval how many consecutive finite steps make the scale grow; at least 1
     * @param enabled        false makes every call a pass-through (plain float32 training)
     * @throws IllegalArgumentException naming the argument when one is out of range
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval, boolean enabled) {
        this.scale = checkScale("GradScaler", "initScale", initScale);
        this.growthFactor = checkGrowthFactor("GradScaler", growthFactor);
        this.backoffFactor = checkBackoffFactor("GradScaler", backoffFactor);
        this.growthInterval = checkGrowthInterval("GradScaler", growthInterval);
        this.enabled = enabled;
    }

    /**
     * The loss multiplied by the current scale, recorded (backward through it gives gradients multiplied by
     * the scale). A float16 or bfloat16 loss is converted to float32 first, as PyTorch's type promotion does
     * for a 0-d loss: the scale itself (65536 by default) is larger than float16 can hold.
     *
     * @param loss the loss, usually a 0-d tensor
     * @return {@code loss * scale()}, or {@code loss} itself when the scaler is disabled
     * @throws IllegalArgumentException when {@code loss} is null
     */
    public Tensor scale(Tensor loss) {
        if (loss == null) {
            throw new IllegalArgumentException("GradScaler.scale: the loss is null");
        }
        if (!enabled) {
            return loss;
        }
        Tensor wide = loss.dtype() == DType.FLOAT16 || loss.dtype() == DType.BFLOAT16 ? loss.to(DType.FLOAT32) : loss;
        return wide.mul((double) scale);
    }

    /**
     * Divides the gradients of the optimizer's parameters by the scale, in place (inside
     * {@link Autograd#noGrad()}; as PyTorch, by multiplying with the float32 reciprocal of the scale, which
     * is exact for the power-of-two scales of the defaults), and records whether any element of them is then infinite or NaN. Call it
     * before reading or changing the gradients (clipping, logging their norm); {@link #step(Optimizer)} calls
     * it when you did not. Parameters without a gradient are skipped; gradients that share storage are
     * divided once.
     *
     * @param optimizer the optimizer whose parameters' gradients to unscale
     * @throws IllegalArgumentException when {@code optimizer} is null, or a gradient is FLOAT16 (as PyTorch,
     *                                  which refuses to unscale FP16 gradients: float16 can hold neither the
     *                                  scaled gradients, 65536 overflows it, nor the small unscaled ones; keep
     *                                  the parameters FLOAT32 and let autocast cast them)
     * @throws IllegalStateException    when it was already unscaled, or stepped, since the last {@link #update()}
     */
    public void unscale(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("GradScaler.unscale: the optimizer is null");
        }
        if (!enabled) {
            return;
        }
        Record record = records.get(optimizer);
        if (record != null) {
            throw new IllegalStateException(record.stage == Stage.UNSCALED
                    ? "GradScaler.unscale: unscale() has already been called on this optimizer since the last update()"
                    : "GradScaler.unscale: unscale() is being called after step(); call update() first");
        }
        List<Tensor> parameters = optimizer.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor g = parameters.get(i).grad();
            if (g != null && g.dtype() == DType.FLOAT16) {
                throw new IllegalArgumentException("GradScaler.unscale: parameter " + i + " has a FLOAT16 gradient; "
                        + "attempting to unscale FP16 gradients. Keep the parameters (master weights) in FLOAT32 and run "
                        + "the forward pass under Autograd.autocast(DType.FLOAT16), which casts them");
            }
        }
        record = new Record();
        record.foundInf = unscaleGradients(parameters);
        record.stage = Stage.UNSCALED;
        records.put(optimizer, record);
    }

    /**
     * Multiplies every gradient by the float32 reciprocal of the scale and reports whether a result is not
     * finite. All new values are computed before any is written (see GradClip): core may give several
     * leaves gradients that share storage, and writing absolute values keeps a shared storage from being
     * divided twice.
     */
    private boolean unscaleGradients(List<Tensor> parameters) {
        double inverse = (float) (1.0 / scale);
        List<Tensor> grads = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g != null && seen.add(g)) {
                grads.add(g);
            }
        }
        boolean foundInf = false;
        try (var s = Autograd.noGrad()) {
            List<Tensor> unscaled = new ArrayList<>(grads.size());
            for (Tensor g : grads) {
                Tensor u = g.mul(inverse);
                // 0 * x is 0 for every finite x and NaN for inf and NaN, and a sum of zeros cannot overflow:
                // the sum is NaN exactly when some element is not finite.
                foundInf |= Double.isNaN(u.mul(0.0).sum().item());
                unscaled.add(u);
            }
            for (int i = 0; i < grads.size(); i++) {
                grads.get(i).copyFrom(unscaled.get(i));
            }
        }
        return foundInf;
    }

    /**
     * Unscales the optimizer's gradients unless {@link #unscale(Optimizer)} already did in this iteration,
     * then calls {@code optimizer.step()} when all of them are finite. When one is infinite or NaN the step
     * is skipped: parameters and optimizer state (moments, step counts) are left untouched, and
     * {@link #update()} will reduce the scale.
     *
     * @param optimizer the optimizer to step
     * @return whether {@code optimizer.step()} ran (always true when the scaler is disabled)
     * @throws IllegalArgumentException when {@code optimizer} is null
     * @throws IllegalStateException    when this optimizer was already stepped since the last {@link #update()}
     */
    public boolean step(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("GradScaler.step: the optimizer is null");
        }
        if (!enabled) {
            optimizer.step();
            return true;
        }
        Record record = records.get(optimizer);
        if (record != null && record.stage == Stage.STEPPED) {
            throw new IllegalStateException("GradScaler.step: step() has already been called on this optimizer since the "
                    + "last update(); call update() once per iteration");
        }
        if (record == null) {
            unscale(optimizer);
            record = records.get(optimizer);
        }
        record.stage = Stage.STEPPED;
        if (record.foundInf) {
            return false;
        }
        optimizer.step();
        return true;
    }

    /**
     * Adjusts the scale for the next iteration from what the {@link #step(Optimizer)} calls since the last
     * update found: after an inf/NaN gradient (in any optimizer) the scale is multiplied by the backoff
     * factor and the growth counter reset to 0; otherwise the counter advances and, when it reaches the
     * growth interval, the scale is multiplied by the growth factor (unless that overflows float32) and the
     * counter reset. Call it once per iteration, after the steps.
     *
     * @throws IllegalStateException when no optimizer was unscaled or stepped since the last update
     */
    public void update() {
        if (!enabled) {
            return;
        }
        if (records.isEmpty()) {
            throw new IllegalStateException("GradScaler.update: no inf checks were recorded since the last update(); "
                    + "call step(optimizer) (or unscale(optimizer)) before update()");
        }
        boolean foundInf = false;
        for (Record r : records.values()) {
            foundInf |= r.foundInf;
        }
        records.clear();
        if (foundInf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
            return;
        }
        int successful = growthTracker + 1;
        if (successful == growthInterval) {
            float grown = (float) (scale * growthFactor);
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            growthTracker = 0;
        } else {
            growthTracker = successful;
        }
    }

    /** @return the current scale, or 1 when the scaler is disabled (as PyTorch's {@code get_scale}) */
    public double scale() {
        return enabled ? scale : 1.0;
    }

    /** The number of consecutive finite steps since the last growth or backoff (also in {@link #state()}). */
    int growthTracker() {
        return growthTracker;
    }

    /** @return the growth factor */
    public double growthFactor() {
        return growthFactor;
    }

    /** @return the backoff factor */
    public double backoffFactor() {
        return backoffFactor;
    }

    /** @return the growth interval */
    public int growthInterval() {
        return growthInterval;
    }

    /** @return whether the scaler scales (false: every call passes through) */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * The scaler's state as named 0-d float64 tensors, like {@link Optimizer#state()} (save both with
     * {@code SafeTensors.write}): {@value #SCALE_KEY}, {@value #GROWTH_FACTOR_KEY}, {@value #BACKOFF_FACTOR_KEY},
     * {@value #GROWTH_INTERVAL_KEY} and {@value #GROWTH_TRACKER_KEY}, as PyTorch's {@code state_dict}. Take it
     * between iterations (after {@link #update()}); what the current iteration's steps found is not part of
     * it. A disabled scaler has no state: the map is empty.
     *
     * @return an ordered map of new tensors
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (!enabled) {
            return out;
        }
        out.put(SCALE_KEY, Tensor.scalar(scale));
        out.put(GROWTH_FACTOR_KEY, Tensor.scalar(growthFactor));
        out.put(BACKOFF_FACTOR_KEY, Tensor.scalar(backoffFactor));
        out.put(GROWTH_INTERVAL_KEY, Tensor.scalar(growthInterval));
        out.put(GROWTH_TRACKER_KEY, Tensor.scalar(growthTracker));
        return out;
    }

    /**
     * Restores a state from {@link #state()}: the scale, the growth counter and the three settings (which
     * replace this scaler's, as PyTorch's {@code load_state_dict} does). Everything is checked first; on a
     * problem nothing changes and the exception lists every problem. A disabled scaler ignores the call.
     *
     * @param state the saved state
     * @throws IllegalArgumentException when {@code state} is null or empty (saved from a disabled scaler), or a
     *                                  key is missing or unknown, or a value is not a single valid number
     */
    public void loadState(Map<String, Tensor> state) {
        if (state == null) {
            throw new IllegalArgumentException("GradScaler.loadState: the state is null");
        }
        if (!enabled) {
            return;
        }
        if (state.isEmpty()) {
            throw new IllegalArgumentException("GradScaler.loadState: the state is empty, possibly because it was saved "
                    + "from a disabled GradScaler");
        }
        List<String> problems = new ArrayList<>();
        for (String key : state.keySet()) {
            if (!KEYS.contains(key)) {
                problems.add("unexpected key '" + key + "' (a GradScaler keeps " + KEYS + ")");
            }
        }
        double[] values = new double[KEYS.size()];
        boolean complete = true;
        for (int i = 0; i < KEYS.size(); i++) {
            Tensor t = state.get(KEYS.get(i));
            if (t == null || t.numel() != 1) {
                problems.add("'" + KEYS.get(i) + "' is missing or not a single value");
                complete = false;
            } else {
                values[i] = t.item();
            }
        }
        if (complete) {
            check(problems, () -> checkScale("GradScaler.loadState", SCALE_KEY, values[0]));
            check(problems, () -> checkGrowthFactor("GradScaler.loadState", values[1]));
            check(problems, () -> checkBackoffFactor("GradScaler.loadState", values[2]));
            double interval = values[3];
            if (!(interval >= 1 && interval <= Integer.MAX_VALUE && interval == Math.rint(interval))) {
                problems.add("'" + GROWTH_INTERVAL_KEY + "' must be a whole number in [1, " + Integer.MAX_VALUE + "], got "
                        + interval);
            } else if (!(values[4] >= 0 && values[4] < interval && values[4] == Math.rint(values[4]))) {
                // The counter is reset when it reaches the interval, so a valid one is always below it.
                problems.add("'" + GROWTH_TRACKER_KEY + "' must be a whole number in [0, " + GROWTH_INTERVAL_KEY + " = "
                        + (long) interval + "), got " + values[4]);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("GradScaler.loadState: the state does not fit a GradScaler:\n  "
                    + String.join("\n  ", problems));
        }
        scale = (float) values[0];
        growthFactor = values[1];
        backoffFactor = values[2];
        growthInterval = (int) values[3];
        growthTracker = (int) values[4];
        records.clear();
    }

    private static void check(List<String> problems, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    private static float checkScale(String where, String what, double value) {
        float asFloat = (float) value;
        if (!(value > 0) || !Float.isFinite(asFloat) || asFloat == 0) {
            throw new IllegalArgumentException(where + ": " + what + " must be positive and finite in float32 (in ["
                    + Float.MIN_VALUE + ", " + Float.MAX_VALUE + "]), got " + value);
        }
        return asFloat;
    }

    private static double checkGrowthFactor(String where, double value) {
        if (!(value > 1) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(where + ": growthFactor must be finite and > 1, got " + value);
        }
        return value;
    }

    private static double checkBackoffFactor(String where, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(where + ": backoffFactor must be in (0, 1), got " + value);
        }
        return value;
    }

    private static int checkGrowthInterval(String where, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(where + ": growthInterval must be at least 1, got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "GradScaler(scale=" + scale() + ", growthFactor=" + growthFactor + ", backoffFactor=" + backoffFactor
                + ", growthInterval=" + growthInterval + ", growthTracker=" + growthTracker + ", enabled=" + enabled + ")";
    }
}
