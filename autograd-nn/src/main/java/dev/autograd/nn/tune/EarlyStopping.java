package dev.autograd.nn.tune;

import java.util.Objects;

/**
 * When a trial should stop training, as Keras's {@code EarlyStopping(monitor, mode, patience, min_delta)}:
 * after {@code patience} consecutive epochs in which the monitored metric did not improve on its best value by
 * more than {@code minDelta}. The first reported epoch sets the best value; a value that is not finite (a
 * diverged run) is never an improvement.
 *
 * <p>Hand-traced, {@code EarlyStopping.of("valLoss", Mode.MIN, 2)} on the losses 1.0, 0.8, 0.9, 0.85, ...:
 * epoch 0 sets the best (1.0), epoch 1 improves it (0.8), epochs 2 and 3 do not (one and two epochs without
 * improvement), so {@link Trial#report} returns {@code true} at epoch 3.
 *
 * <p>The objective consults it through {@link Trial#report}; {@link Tuner#earlyStopping} installs it.
 *
 * @param monitor  the name of the metric to watch, as passed to {@link Trial#report}
 * @param mode     whether that metric should fall ({@link Mode#MIN}) or rise ({@link Mode#MAX})
 * @param patience epochs without improvement before stopping, at least 1
 * @param minDelta the least change that counts as an improvement, finite and at least 0
 */
public record EarlyStopping(String monitor, Mode mode, int patience, double minDelta) {

    /**
     * Checks the settings.
     *
     * @param monitor  the metric's name, not blank
     * @param mode     the direction of improvement
     * @param patience at least 1
     * @param minDelta finite and at least 0
     * @throws IllegalArgumentException when a value is out of range
     */
    public EarlyStopping {
        Objects.requireNonNull(monitor, "EarlyStopping: monitor is null");
        Objects.requireNonNull(mode, "EarlyStopping: mode is null");
        if (monitor.isBlank()) {
            throw new IllegalArgumentException("EarlyStopping: the monitored metric's name is blank");
        }
        if (patience < 1) {
            throw new IllegalArgumentException("EarlyStopping: patience must be at least 1 epoch, got " + patience);
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("EarlyStopping: minDelta must be finite and >= 0, got " + minDelta);
        }
    }

    /**
     * Stops after {@code patience} epochs without any improvement ({@code minDelta} 0).
     *
     * @param monitor  the metric to watch
     * @param mode     its direction
     * @param patience at least 1
     * @return the setting
     */
    public static EarlyStopping of(String monitor, Mode mode, int patience) {
        return new EarlyStopping(monitor, mode, patience, 0);
    }

    /** The per-trial state: best value and epochs since it. Not thread-safe (one trial, one thread). */
    static final class Monitor {
        private final EarlyStopping rule;
        private double best = Double.NaN;
        private int bestEpoch = -1;
        private int waited;
        private boolean stopped;

        Monitor(EarlyStopping rule) {
            this.rule = rule;
        }

        /** Takes one epoch's value; returns whether training should stop now (and stays stopped). */
        boolean update(int epoch, double value) {
            if (rule.mode().improves(value, best, rule.minDelta())) {
                best = value;
                bestEpoch = epoch;
                waited = 0;
            } else {
                waited++;
                if (waited >= rule.patience()) {
                    stopped = true;
                }
            }
            return stopped;
        }

        boolean stopped() {
            return stopped;
        }

        int bestEpoch() {
            return bestEpoch;
        }
    }
}
