package dev.autograd;

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
 * Bit-identical results whatever the thread count (and so from run to run): the same workload, run in
 * fresh JVMs with 1, 2 and 3 kernel threads, gives the same fingerprint of every value and gradient, with
 * the SIMD kernels and with the portable ones.
 */
class DeterminismTest {

    private static String fingerprint(String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DeterminismProbe.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        int at = out.indexOf("fingerprint=");
        assertTrue(at >= 0, out);
        return out.substring(at).trim();
    }

    @Test
    void theThreadCountDoesNotChangeAnyBit() throws Exception {
        for (String kernels : new String[] {"simd", "portable"}) {
            String vector = "--add-modules=jdk.incubator.vector";
            String choice = "-Dautograd.kernels=" + kernels;
            String one = fingerprint(vector, choice, "-Dautograd.threads=1");
            assertEquals(one, fingerprint(vector, choice, "-Dautograd.threads=2"), kernels + ": 1 vs 2 threads");
            assertEquals(one, fingerprint(vector, choice, "-Dautograd.threads=3"), kernels + ": 1 vs 3 threads");
        }
    }
}
