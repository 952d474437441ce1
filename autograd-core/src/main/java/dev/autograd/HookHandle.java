package dev.autograd;

/**
 * Returned by {@link Tensor#registerHook}; {@link #remove()} unregisters the hook. Removing twice is
 * harmless.
 */
public interface HookHandle {

    /** Unregisters the hook: later backward passes no longer call it. */
    void remove();
}
