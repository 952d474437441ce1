package dev.autograd.benchmarks;

import dev.autograd.internal.kernel.Backends;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.PortableFloatBackend;

/** The backend named {@code simd} or {@code portable} for one dtype, whatever {@code Backends} chose. */
final class GemmBackends {

    private GemmBackends() {
    }

    /**
     * @param name    {@code simd} or {@code portable}
     * @param float64 the dtype
     * @return a {@code DoubleBackend} or {@code FloatBackend}
     */
    static Object of(String name, boolean float64) {
        switch (name) {
            case "portable":
                return float64 ? PortableDoubleBackend.INSTANCE : PortableFloatBackend.INSTANCE;
            case "simd":
                Object[] simd = Backends.simdBackends().orElseThrow(() -> new IllegalStateException(
                        "the Vector API is not readable: run with --add-modules=jdk.incubator.vector"));
                return simd[float64 ? 0 : 1];
            default:
                throw new IllegalArgumentException("backend " + name + ": simd or portable");
        }
    }
}
