package dev.autograd;

/**
 * The primitive array behind one or more tensors ({@code reshape} shares it) and its version counter.
 * The counter is bumped by every in-place write so that a backward reading a saved tensor can tell that
 * the values it saved were changed under it.
 */
final class Storage {

    /** A {@code double[]} or a {@code float[]}; never exposed outside the package. */
    final Object array;
    private int version;

    /**
     * Set on a gradient buffer that a backward kernel has just allocated and that, so far, only the
     * engine references: the engine may then add into it in place or hand it to a leaf without a copy.
     * Cleared as soon as the buffer becomes visible outside the engine (a leaf's grad, a hook, a listener,
     * a result of {@code Autograd.grad}).
     */
    boolean engineOwned;
    /**
     * How many pending gradient slots of the running backward hold this buffer; see {@link Engine}. A short
     * (the object stays at 24 bytes) that saturates: once at {@link #SHARED} it stays there, and the buffer
     * is never written in place again.
     */
    short engineRefs;

    /** The saturated {@link #engineRefs}. */
    static final short SHARED = Short.MAX_VALUE;

    void addEngineRef() {
        if (engineRefs != SHARED) {
            engineRefs++;
        }
    }

    void dropEngineRef() {
        if (engineRefs != SHARED) {
            engineRefs--;
        }
    }

    Storage(Object array) {
        this.array = array;
    }

    int version() {
        return version;
    }

    void bumpVersion() {
        version++;
    }
}
