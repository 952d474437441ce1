package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F16 and BF16 safetensors entries, bit for bit as PyTorch writes them: files made by
 * {@code src/test/python/half_safetensors_reference.py} (PyTorch 2.13.0+cpu's {@code safetensors.torch.save_file},
 * numpy 2.4) are read into FLOAT16/BFLOAT16 tensors holding PyTorch's bit patterns, which are also what this
 * engine's own rounding gives; and writing those tensors gives PyTorch's data bytes.
 */
class SafeTensorsHalfTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SafeTensorsHalfTest.class.getResourceAsStream("/half/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Map<String, Tensor> torchFile() throws IOException {
        return SafeTensors.fromBytes(resource("torch_half.safetensors")).tensors();
    }

    /**
     * Patterns equal, NaNs compared as "both NaN": PyTorch does not specify a NaN's bits (its vectorized
     * float32 to bfloat16 conversion writes every NaN as 0xffff, sign set), this engine keeps the sign.
     */
    private static void assertSameBits(short[] expected, short[] actual, DType dtype) {
        assertEquals(expected.length, actual.length);
        int infinity = dtype == DType.FLOAT16 ? 0x7c00 : 0x7f80;
        for (int i = 0; i < expected.length; i++) {
            boolean nanE = (expected[i] & 0x7fff) > infinity;
            boolean nanA = (actual[i] & 0x7fff) > infinity;
            if (nanE || nanA) {
                assertTrue(nanE && nanA, "element " + i);
            } else {
                assertEquals(expected[i], actual[i], "element " + i + " of " + dtype);
            }
        }
    }

    @Test
    void readsPyTorchsF16AndBf16AndTheyMatchOurRounding() throws IOException {
        Map<String, Tensor> t = torchFile();
        Tensor f32 = t.get("f32");
        Tensor f16 = t.get("f16");
        Tensor bf16 = t.get("bf16");
        assertEquals(DType.FLOAT32, f32.dtype());
        assertEquals(DType.FLOAT16, f16.dtype());
        assertEquals(DType.BFLOAT16, bf16.dtype());
        assertEquals(307, f16.numel());
        assertSameBits(f16.toBits(), f32.to(DType.FLOAT16).toBits(), DType.FLOAT16);
        assertSameBits(bf16.toBits(), f32.to(DType.BFLOAT16).toBits(), DType.BFLOAT16);
        // A few values by hand: 1.0, -2.5 and 65520 (which ties to infinity in binary16).
        assertEquals((short) 0x3c00, f16.toBits()[2]);
        assertEquals((short) 0xc100, f16.toBits()[3]);
        assertEquals((short) 0x7c00, f16.toBits()[9]);
        assertEquals((short) 0x3f80, bf16.toBits()[2]);
        assertEquals(65520, f32.get(9), 0);
    }

    @Test
    void roundsFloat64DirectlyLikeNumpy() throws IOException {
        Map<String, Tensor> t = torchFile();
        Tensor f64 = t.get("f64");
        assertEquals(DType.FLOAT64, f64.dtype());
        short[] numpy = t.get("f16_from_f64").toBits();
        assertArrayEquals(numpy, f64.to(DType.FLOAT16).toBits());
        // Through float32 the first value (just above the midpoint 1 + 2^-11) would round down to 1.
        assertEquals((short) 0x3c01, numpy[0]);
        assertEquals((short) 0x3c00, f64.to(DType.FLOAT32).to(DType.FLOAT16).toBits()[0]);
    }

    @Test
    void writesPyTorchsDataBytes() throws IOException {
        byte[] torch = resource("half_only.safetensors");
        Map<String, Tensor> tensors = SafeTensors.fromBytes(torch).tensors();
        byte[] ours = SafeTensors.toBytes(tensors, Map.of());
        // Both writers order equal-sized tensors by name, so the data sections (the files' tails) coincide.
        int data = 2 * 2 * 307;
        assertArrayEquals(Arrays.copyOfRange(torch, torch.length - data, torch.length),
                Arrays.copyOfRange(ours, ours.length - data, ours.length));
        // Little-endian raw bits: 1.0 is 00 3c in binary16 and 80 3f in bfloat16.
        byte[] one = SafeTensors.toBytes(Map.of("h", Tensor.ones(DType.FLOAT16, 1), "b", Tensor.ones(DType.BFLOAT16, 1)),
                Map.of());
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3f, 0x00, 0x3c}, Arrays.copyOfRange(one, one.length - 4, one.length));
    }

    @Test
    void halfTensorsSaveAndLoadBitForBit(@TempDir Path dir) throws IOException {
        Random random = new Random(3);
        for (DType dtype : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("w", Tensor.randn(random, dtype, 3, 4));
            tensors.put("b", Tensor.full(dtype, Double.NEGATIVE_INFINITY, 2));
            tensors.put("mixed", Tensor.randn(random, DType.FLOAT32, 5));
            Path file = dir.resolve(dtype + ".safetensors");
            SafeTensors.write(tensors, file);
            Map<String, Tensor> back = SafeTensors.read(file).tensors();
            assertEquals(dtype, back.get("w").dtype());
            assertEquals(dtype, back.get("b").dtype());
            assertEquals(dtype, SafeTensors.readHeader(file).tensors().get("w").dtype());
            assertArrayEquals(tensors.get("w").toBits(), back.get("w").toBits());
            assertArrayEquals(tensors.get("b").toBits(), back.get("b").toBits());
            assertArrayEquals(tensors.get("mixed").toFloatArray(), back.get("mixed").toFloatArray());
            String header = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(header.contains("\"w\":{\"dtype\":\"" + (dtype == DType.FLOAT16 ? "F16" : "BF16") + "\""), header);
        }
    }

    @Test
    void moduleToHalfAndBack() {
        Linear layer = new Linear(3, 2, new Random(4));
        float[] before = layer.parameters().get(0).toFloatArray();
        layer.to(DType.BFLOAT16);
        for (Tensor p : layer.parameters()) {
            assertEquals(DType.BFLOAT16, p.dtype());
            assertTrue(p.requiresGrad());
        }
        Tensor y = layer.forward(Tensor.ones(DType.BFLOAT16, 1, 3));
        assertEquals(DType.BFLOAT16, y.dtype());
        y.sum().backward();
        assertEquals(DType.BFLOAT16, layer.parameters().get(0).grad().dtype());
        layer.to(DType.FLOAT32);
        assertArrayEquals(Tensor.of(before, before.length).to(DType.BFLOAT16).toFloatArray(),
                layer.parameters().get(0).toFloatArray());
    }
}
