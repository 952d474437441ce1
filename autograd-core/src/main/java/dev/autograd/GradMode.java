package dev.autograd;

/** Per-thread switch for graph recording; see {@link Autograd#noGrad()}. */
final class GradMode {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
    private static final ThreadLocal<boolean[]> ANOMALY = ThreadLocal.withInitial(() -> new boolean[] {false});

    private static final ThreadLocal<java.util.List<BackwardListener>> LISTENERS =
            ThreadLocal.withInitial(java.util.concurrent.CopyOnWriteArrayList::new);

    private GradMode() {
    }

    /** The backward listeners of the current thread (a live, thread-safe list). */
    static java.util.List<BackwardListener> listeners() {
        return LISTENERS.get();
    }

    static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    static boolean isAnomalyDetection() {
        return ANOMALY.get()[0];
    }

    /** Sets anomaly detection and returns the previous setting. */
    static boolean setAnomalyDetection(boolean enabled) {
        boolean[] cell = ANOMALY.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return previous;
    }

    /** Sets the mode and returns the previous one, so that scopes can restore it. */
    static boolean set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return previous;
    }
}
