package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.internal.kernel.ChildJvm;
import org.junit.jupiter.api.Test;

/**
 * Bit-identical results whatever the thread count (and so from run to run): the same workload, run in
 * fresh JVMs with 1, 2 and 3 kernel threads, gives the same fingerprint of every value and gradient, with
 * the SIMD kernels and with the portable ones.
 */
class DeterminismTest {

    private static String fingerprint(String... jvmArgs) throws Exception {
        String out = ChildJvm.run(DeterminismProbe.class, jvmArgs).stdout();
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
