package dev.autograd.nn.tune;

import dev.autograd.nn.tune.SearchSpace.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One evaluation of the {@link Objective}: a setting of every hyperparameter of the {@link SearchSpace}, read
 * with typed getters ({@code trial.getDouble("lr")}, {@code trial.getInt("batchSize")}), a seed of its own,
 * and per-epoch reporting that keeps the trial's history and applies the search's {@link EarlyStopping}.
 *
 * <pre>{@code
 * double objective(Trial trial) {
 *     Random random = new Random(trial.seed());          // weights, shuffling: all from the trial's seed
 *     ...
 *     for (int epoch = 0; epoch < 50; epoch++) {
 *         ... train one epoch, evaluate on the validation set ...
 *         if (trial.report(epoch, Map.of("valLoss", valLoss, "valAcc", valAcc))) {
 *             break;                                     // early stopping says: no progress for `patience` epochs
 *         }
 *     }
 *     return trial.best("valLoss", Mode.MIN).get("valLoss");
 * }
 * }</pre>
 *
 * <p>A trial belongs to the thread that runs it; it is not thread-safe.
 */
public final class Trial {

    private final int index;
    private final long seed;
    private final Map<String, Object> params;
    private final Map<String, Kind> kinds;
    private final EarlyStopping.Monitor monitor;
    private final String monitored;
    private final List<EpochRecord> history = new ArrayList<>();

    Trial(int index, long seed, Map<String, Object> params, Map<String, Kind> kinds, EarlyStopping earlyStopping) {
        this.index = index;
        this.seed = seed;
        this.params = params;
        this.kinds = kinds;
        this.monitor = earlyStopping == null ? null : new EarlyStopping.Monitor(earlyStopping);
        this.monitored = earlyStopping == null ? null : earlyStopping.monitor();
    }

    /** @return this trial's position in the search, from 0 (grid order, or draw order for a random search) */
    public int index() {
        return index;
    }

    /**
     * The seed this trial should draw all its randomness from (initial weights, shuffling, dropout): derived
     * from the search's seed and {@link #index()} only, so a trial computes the same thing whichever thread
     * runs it and whenever.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /** @return every hyperparameter's value by name, in declaration order (Double, Integer or String), unmodifiable */
    public Map<String, Object> params() {
        return params;
    }

    /**
     * A double hyperparameter ({@link SearchSpace#choice}, {@link SearchSpace#uniform},
     * {@link SearchSpace#logUniform}); an int one is widened.
     *
     * @param name the hyperparameter
     * @return its value in this trial
     * @throws IllegalArgumentException when the space has no such name, or it holds strings
     */
    public double getDouble(String name) {
        Object v = value("Trial.getDouble", name, Kind.DOUBLE);
        return ((Number) v).doubleValue();
    }

    /**
     * An int hyperparameter ({@link SearchSpace#intChoice}, {@link SearchSpace#intRange}).
     *
     * @param name the hyperparameter
     * @return its value in this trial
     * @throws IllegalArgumentException when the space has no such name, or it is not an int hyperparameter
     */
    public int getInt(String name) {
        return (Integer) value("Trial.getInt", name, Kind.INT);
    }

    /**
     * A string hyperparameter ({@link SearchSpace#stringChoice}).
     *
     * @param name the hyperparameter
     * @return its value in this trial
     * @throws IllegalArgumentException when the space has no such name, or it is not a string hyperparameter
     */
    public String getString(String name) {
        return (String) value("Trial.getString", name, Kind.STRING);
    }

    private Object value(String method, String name, Kind wanted) {
        Kind kind = kinds.get(name);
        if (kind == null) {
            throw new IllegalArgumentException(method + ": no hyperparameter named '" + name + "'; the space has "
                    + params.keySet());
        }
        boolean fits = kind == wanted || (wanted == Kind.DOUBLE && kind == Kind.INT);
        if (!fits) {
            throw new IllegalArgumentException(method + ": '" + name + "' is a " + kind.label + " hyperparameter (value "
                    + params.get(name) + "); read it with " + getter(kind));
        }
        return params.get(name);
    }

    private static String getter(Kind kind) {
        return switch (kind) {
            case DOUBLE -> "getDouble";
            case INT -> "getInt or getDouble";
            case STRING -> "getString";
        };
    }

    /**
     * Records one epoch's metrics (validation loss, accuracy, training loss...) in this trial's history and,
     * when the search has {@link EarlyStopping}, feeds it the monitored metric.
     *
     * @param epoch   the epoch number, greater than the last reported one
     * @param metrics the metrics by name; must hold the early-stopping monitor when there is one
     * @return whether to stop training now: {@code true} once the monitored metric has not improved for
     *         {@code patience} epochs (and for every later report); always {@code false} without early stopping
     * @throws IllegalArgumentException when the epoch does not increase, the metrics are empty, or the monitor
     *                                  is missing
     */
    public boolean report(int epoch, Map<String, Double> metrics) {
        Objects.requireNonNull(metrics, "Trial.report: metrics is null");
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("Trial.report: no metrics given for epoch " + epoch);
        }
        if (!history.isEmpty() && epoch <= history.get(history.size() - 1).epoch()) {
            throw new IllegalArgumentException("Trial.report: epochs must increase, got " + epoch + " after "
                    + history.get(history.size() - 1).epoch());
        }
        for (var e : metrics.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("Trial.report: epoch " + epoch + " has a null metric name or value: " + metrics);
            }
        }
        if (monitor != null && !metrics.containsKey(monitored)) {
            throw new IllegalArgumentException("Trial.report: early stopping monitors '" + monitored + "', but epoch "
                    + epoch + " reports only " + metrics.keySet());
        }
        history.add(new EpochRecord(epoch, metrics));
        return monitor != null && monitor.update(epoch, metrics.get(monitored));
    }

    /**
     * Records one epoch's single metric, as {@code report(epoch, Map.of(metric, value))}.
     *
     * @param epoch  the epoch number, greater than the last reported one
     * @param metric the metric's name
     * @param value  its value
     * @return whether to stop training now (see {@link #report(int, Map)})
     */
    public boolean report(int epoch, String metric, double value) {
        Objects.requireNonNull(metric, "Trial.report: metric is null");
        return report(epoch, Map.of(metric, value));
    }

    /** @return whether early stopping has told this trial to stop */
    public boolean stoppedEarly() {
        return monitor != null && monitor.stopped();
    }

    /** @return the epochs reported so far, in order, unmodifiable */
    public List<EpochRecord> history() {
        return Collections.unmodifiableList(history);
    }

    /**
     * The reported epoch with the best value of {@code metric} (the earliest among equals); values that are not
     * finite never win.
     *
     * @param metric the metric's name
     * @param mode   whether smaller or larger is better
     * @return that epoch's record
     * @throws IllegalStateException when no epoch reported a finite value of the metric
     */
    public EpochRecord best(String metric, Mode mode) {
        return best("Trial.best: trial " + index, history, metric, mode);
    }

    /** The earliest record with the best finite value of {@code metric}; {@code what} starts the error message. */
    static EpochRecord best(String what, List<EpochRecord> history, String metric, Mode mode) {
        Objects.requireNonNull(mode, "best: mode is null");
        EpochRecord best = null;
        for (EpochRecord r : history) {
            Double v = r.metrics().get(metric);
            if (v != null && mode.improves(v, best == null ? Double.NaN : best.get(metric), 0)) {
                best = r;
            }
        }
        if (best == null) {
            throw new IllegalStateException(what + " reported no finite '" + metric + "' in " + history.size() + " epochs");
        }
        return best;
    }
}
