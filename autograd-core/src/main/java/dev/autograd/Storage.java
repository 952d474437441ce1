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
