package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The kernel choice as a user meets it, each in a fresh JVM: without the Vector API module the portable
 * kernels run (no NoClassDefFoundError) and the log says how to get the SIMD ones; with it the SIMD kernels
 * run; the system property forces either, and a forced SIMD choice without the module falls back with a
 * warning.
 */
class BackendsSelectionTest {

    private record Run(String stdout, String stderr) {
    }

    private static Run run(String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BackendsProbe.class.getName());
        Process process = new ProcessBuilder(command).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "probe failed: " + out + err);
        return new Run(out, err);
    }

    @Test
    void withoutTheModuleThePortableKernelsRunAndTheLogSaysHowToGetSimd() throws Exception {
        Run run = run();
        assertTrue(run.stdout().contains("kernels=portable result=-3.0"), run::toString);
        assertTrue(run.stderr().contains("--add-modules=jdk.incubator.vector"), run::stderr);
    }

    @Test
    void withTheModuleTheSimdKernelsRun() throws Exception {
        Run run = run("--add-modules=jdk.incubator.vector");
        assertTrue(run.stdout().contains("kernels=simd result=-3.0"), run::toString);
        assertTrue(run.stderr().contains("autograd kernels: SIMD"), run::stderr);
    }

    @Test
    void thePropertyForcesEitherChoice() throws Exception {
        assertTrue(run("--add-modules=jdk.incubator.vector", "-D" + Backends.PROPERTY + "=portable").stdout()
                .contains("kernels=portable"));
        Run forced = run("-D" + Backends.PROPERTY + "=simd");
        assertTrue(forced.stdout().contains("kernels=portable"), forced::toString);
        assertTrue(forced.stderr().contains("not readable"), forced::stderr);
    }
}
