package dev.autograd.nn.tune;

/**
 * Whether smaller or larger values of a metric are better: the direction of a search (a validation loss is
 * minimised, an accuracy maximised) and of an {@link EarlyStopping} monitor.
 */
public enum Mode {
    /** Smaller is better (losses, errors). */
    MIN,
    /** Larger is better (accuracies, scores). */
    MAX;

    /**
     * Whether {@code candidate} beats {@code reference} by more than {@code minDelta}. A value that is not
     * finite never improves on anything, so a diverged run cannot become the best.
     *
     * @param candidate the new value
     * @param reference the best so far; NaN when there is none yet
     * @param minDelta  the least change that counts, at least 0
     * @return whether the candidate is an improvement
     */
    boolean improves(double candidate, double reference, double minDelta) {
        if (!Double.isFinite(candidate)) {
            return false;
        }
        if (Double.isNaN(reference)) {
            return true;
        }
        return this == MIN ? candidate < reference - minDelta : candidate > reference + minDelta;
    }
}
