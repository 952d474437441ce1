package dev.autograd.nn.tune;

import java.util.List;
import java.util.Map;

/**
 * What one trial produced.
 *
 * @param index        the trial's position in the search, from 0
 * @param params       its hyperparameters by name, in declaration order
 * @param seed         the seed it was given ({@link Trial#seed()})
 * @param value        the objective's score; NaN when the trial failed (or returned NaN)
 * @param error        the failure ({@code ExceptionClass: message}), or {@code null} when it succeeded
 * @param history      the epochs it reported, in order
 * @param stoppedEarly whether early stopping told it to stop
 * @param seconds      its wall-clock time (the only field that differs between runs)
 */
public record TrialResult(int index, Map<String, Object> params, long seed, double value, String error,
                          List<EpochRecord> history, boolean stoppedEarly, double seconds) {

    /**
     * Copies the collections.
     *
     * @param index        the position
     * @param params       the hyperparameters
     * @param seed         the seed
     * @param value        the score
     * @param error        the failure or null
     * @param history      the reported epochs
     * @param stoppedEarly whether it stopped early
     * @param seconds      its time
     */
    public TrialResult {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        history = List.copyOf(history);
    }

    /** @return whether the objective threw */
    public boolean failed() {
        return error != null;
    }

    /**
     * The reported epoch with the best value of {@code metric}, as {@link Trial#best} during the trial.
     *
     * @param metric the metric's name
     * @param mode   whether smaller or larger is better
     * @return that epoch's record
     * @throws IllegalStateException when no epoch reported a finite value of the metric
     */
    public EpochRecord best(String metric, Mode mode) {
        return Trial.best("TrialResult.best: trial " + index, history, metric, mode);
    }
}
