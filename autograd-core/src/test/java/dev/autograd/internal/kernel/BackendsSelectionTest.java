package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The kernel choice as a user meets it, each in a fresh JVM: without the Vector API module the portable
 * kernels run (no NoClassDefFoundError) and the log says how to get the SIMD ones; with it the SIMD kernels
 * run; the system property forces either, and a forced SIMD choice without the module falls back with a
 * warning.
 */
class BackendsSelectionTest {

    private static ChildJvm.Output run(String... jvmArgs) throws Exception {
        return ChildJvm.run(BackendsProbe.class, jvmArgs);
    }

    @Test
    void withoutTheModuleThePortableKernelsRunAndTheLogSaysHowToGetSimd() throws Exception {
        ChildJvm.Output run = run();
        assertTrue(run.stdout().contains("kernels=portable result=-3.0"), run::toString);
        assertTrue(run.stderr().contains("--add-modules=jdk.incubator.vector"), run::stderr);
    }

    @Test
    void withTheModuleTheSimdKernelsRun() throws Exception {
        ChildJvm.Output run = run("--add-modules=jdk.incubator.vector");
        assertTrue(run.stdout().contains("kernels=simd result=-3.0"), run::toString);
        assertTrue(run.stderr().contains("autograd kernels: SIMD"), run::stderr);
    }

    @Test
    void thePropertyForcesEitherChoice() throws Exception {
        assertTrue(run("--add-modules=jdk.incubator.vector", "-D" + Backends.PROPERTY + "=portable").stdout()
                .contains("kernels=portable"));
        ChildJvm.Output forced = run("-D" + Backends.PROPERTY + "=simd");
        assertTrue(forced.stdout().contains("kernels=portable"), forced::toString);
        assertTrue(forced.stderr().contains("not readable"), forced::stderr);
    }
}
