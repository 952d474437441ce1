package dev.autograd.internal.kernel.simd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autograd.internal.kernel.Backends;
import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.FloatBackend;

/** The SIMD backends for the tests of this package, which are skipped where the Vector API is not readable. */
final class SimdBackendsUnderTest {

    private SimdBackendsUnderTest() {
    }

    /** Skips the calling test unless the SIMD kernels can be loaded here (in the build they always can). */
    static void assumeAvailable() {
        assumeTrue(available(), "the Vector API is not readable");
    }

    static boolean available() {
        return Backends.simdBackends().isPresent();
    }

    static DoubleBackend doubles() {
        return (DoubleBackend) Backends.simdBackends().orElseThrow()[0];
    }

    static FloatBackend floats() {
        return (FloatBackend) Backends.simdBackends().orElseThrow()[1];
    }
}
