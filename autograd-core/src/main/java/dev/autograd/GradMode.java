package dev.autograd;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Per-thread autograd state: whether ops are recorded (see {@link Autograd#noGrad()}), anomaly mode, the
 * backward listeners and the creation counter of nodes. One thread-local lookup serves them all, since
 * recording an op reads several of them.
 */
final class GradMode {

    /** The state of one thread. */
    static final class State {
        boolean enabled = true;
        boolean anomaly;
        /** The half dtype of the innermost open {@link Autograd#autocast} scope, or null outside autocast. */
        DType autocast;
        /** The next node's creation number on this thread; see {@link Node#sequence}. */
        long sequence;
        /** The step counter of the backward pass running on this thread, for listeners. */
        int step;
        /** Small outputs recorded for inspection since the last backward; see {@link Node#KEPT_OUTPUTS}. */
        int keptOutputs;
        final List<BackwardListener> listeners = new CopyOnWriteArrayList<>();
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private GradMode() {
    }

    /** The current thread's state. */
    static State state() {
        return STATE.get();
    }

    /** The backward listeners of the current thread (a live, thread-safe list). */
    static List<BackwardListener> listeners() {
        return STATE.get().listeners;
    }

    static boolean isEnabled() {
        return STATE.get().enabled;
    }

    static boolean isAnomalyDetection() {
        return STATE.get().anomaly;
    }

    /** Sets anomaly detection and returns the previous setting. */
    static boolean setAnomalyDetection(boolean enabled) {
        State state = STATE.get();
        boolean previous = state.anomaly;
        state.anomaly = enabled;
        return previous;
    }

    /** Sets the mode and returns the previous one, so that scopes can restore it. */
    static boolean set(boolean enabled) {
        State state = STATE.get();
        boolean previous = state.enabled;
        state.enabled = enabled;
        return previous;
    }
}
