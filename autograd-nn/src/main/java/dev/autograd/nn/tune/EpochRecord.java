package dev.autograd.nn.tune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics a trial reported for one epoch with {@link Trial#report}.
 *
 * @param epoch   the epoch number the objective gave
 * @param metrics the metrics by name, in the order given, unmodifiable
 */
public record EpochRecord(int epoch, Map<String, Double> metrics) {

    /**
     * Copies the metrics.
     *
     * @param epoch   the epoch number
     * @param metrics the metrics by name
     */
    public EpochRecord {
        Objects.requireNonNull(metrics, "EpochRecord: metrics is null");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * One metric's value.
     *
     * @param name the metric's name
     * @return its value
     * @throws IllegalArgumentException when this epoch did not report it
     */
    public double get(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("EpochRecord.get: epoch " + epoch + " has no metric '" + name
                    + "'; it has " + metrics.keySet());
        }
        return v;
    }
}
