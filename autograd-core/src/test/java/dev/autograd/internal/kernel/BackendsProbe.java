package dev.autograd.internal.kernel;

/** Started in a JVM of its own by {@link BackendsSelectionTest}: prints which kernels the engine chose. */
public final class BackendsProbe {

    private BackendsProbe() {
    }

    /**
     * Prints {@code kernels=simd} or {@code kernels=portable} and the result of one small kernel call.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        double[] out = new double[3];
        Kernels.unary(UnaryOp.NEG, new double[] {1, 2, 3}, out, 0);
        System.out.println("kernels=" + (Backends.simd() ? "simd" : "portable") + " result=" + out[2]);
    }
}
