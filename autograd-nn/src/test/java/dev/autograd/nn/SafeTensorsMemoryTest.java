package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing a header needs memory bounded by a small multiple of its size: large headers are parsed in a child
 * JVM whose whole heap is 64 MB. (Before the parser worked on the header's bytes, both ran out of memory there:
 * the 12 MB header of small tensors needed up to 112 MB, the 24 MB metadata string over 128 MB.)
 */
class SafeTensorsMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aHeaderOf12MbOfSmallTensorsParsesIn64MbOfHeap() throws Exception {
        assertParsesIn64Mb(12_000_000, "tensors");
    }

    @Test
    void aHeaderOf24MbOfMetadataParsesIn64MbOfHeap() throws Exception {
        assertParsesIn64Mb(24_000_000, "metadata");
    }

    private void assertParsesIn64Mb(long headerBytes, String kind) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), SafeTensorsHeaderMemory.class.getName(),
                dir.resolve("big.safetensors").toString(), Long.toString(headerBytes), kind));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("header " + headerBytes + " bytes"), output);
    }
}
