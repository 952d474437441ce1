package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.optim.SGD;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files: round trips, the exact byte layout, and clear errors for corrupted, truncated and mismatched files. */
class SafeTensorsTest {

    @TempDir
    Path dir;

    /** A model with parameters and buffers (BatchNorm running statistics), in a trained state. */
    static Module trainedModel(long seed) {
        Random rng = new Random(seed);
        Module m = new Sequential(new Linear(3, 8, rng), new BatchNorm1d(8), new ReLU(), new Linear(8, 2, rng));
        SGD opt = new SGD(m.parameters(), 0.1);
        Tensor x = Tensor.randn(new Random(seed + 1), 16, 3);
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            Losses.crossEntropy(m.forward(x), new int[] {0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0}).backward();
            opt.step();
        }
        return m;
    }

    /** The bytes of a file with this header text (padded by nothing) and data. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    /** The SHA-256 of {@code bytes} as lowercase hex, as the writers store it. */
    static String sha256(byte[] bytes, int from, int to) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(bytes, from, to - from);
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The checksum entry the writers put first in the metadata of a file with this data section. */
    static String checksumEntry(byte[] data) {
        return "\"data_sha256\":\"" + sha256(data, 0, data.length) + "\"";
    }

    static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    private static String errorOf(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> SafeTensors.fromBytes(bytes)).getMessage();
    }

    private static void assertMessage(byte[] bytes, String... fragments) {
        String m = errorOf(bytes);
        for (String f : fragments) {
            assertTrue(m.contains(f), "expected \"" + f + "\" in: " + m);
        }
    }

    @Nested
    class RoundTrip {
        @Test
        void saveThenLoadGivesIdenticalOutputs() {
            Module original = trainedModel(1);
            Path path = dir.resolve("model.safetensors");
            SafeTensors.save(original, path, Map.of("arch", "3-8-2"));
            Module restored = trainedModel(99);
            Tensor weight = restored.parameters().get(0);
            SafeTensors.load(restored, path);
            assertSame(weight, restored.parameters().get(0), "loaded in place: parameter identity is kept");
            original.eval();
            restored.eval();
            Tensor x = Tensor.randn(new Random(5), 7, 3);
            assertArrayEquals(original.forward(x).toDoubleArray(), restored.forward(x).toDoubleArray(), 0.0);
            for (var e : original.stateDict().entrySet()) {
                assertArrayEquals(e.getValue().toDoubleArray(), restored.stateDict().get(e.getKey()).toDoubleArray(), 0.0,
                        e.getKey());
            }
            assertEquals("3-8-2", SafeTensors.read(path).metadata().get("arch"));
        }

        @Test
        void float32ScalarsEmptyTensorsOddNamesAndSpecialValues() throws Exception {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("f32", Tensor.of(new float[] {1.5f, Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE}, 5));
            tensors.put("scalar", Tensor.scalar(Math.PI));
            tensors.put("empty", Tensor.zeros(0, 4));
            tensors.put("quote\"back\\slash\nnew line é 中", Tensor.of(new double[] {Double.MAX_VALUE, -Double.MIN_VALUE}, 2, 1));
            Path path = dir.resolve("t.safetensors");
            SafeTensors.write(tensors, path);
            Map<String, Tensor> back = SafeTensors.read(path).tensors();
            assertEquals(tensors.keySet(), back.keySet());
            for (var e : tensors.entrySet()) {
                Tensor b = back.get(e.getKey());
                assertEquals(e.getValue().dtype(), b.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
                if (b.dtype() == DType.FLOAT32) {
                    float[] want = e.getValue().toFloatArray();
                    float[] got = b.toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]));
                    }
                } else {
                    assertArrayEquals(e.getValue().toDoubleArray(), b.toDoubleArray(), 0.0);
                }
            }
            assertArrayEquals(SafeTensors.toBytes(tensors, Map.of()), Files.readAllBytes(path));
        }

        @Test
        void optimizerStateAndLoadedModelKeepTraining() {
            Module m = trainedModel(3);
            List<Tensor> parameters = m.parameters();
            SGD opt = new SGD(parameters, 0.1);
            Path path = dir.resolve("m.safetensors");
            SafeTensors.save(m, path);
            double[][] saved = parameters.stream().map(Tensor::toDoubleArray).toArray(double[][]::new);
            try (var scope = dev.autograd.Autograd.noGrad()) {
                parameters.forEach(p -> p.fill(7));     // so that load has something to restore
            }
            SafeTensors.load(m, path);
            for (int i = 0; i < saved.length; i++) {
                // load writes into the same tensors, so the optimizer still holds the model's parameters
                org.junit.jupiter.api.Assertions.assertSame(parameters.get(i), m.parameters().get(i));
                assertArrayEquals(saved[i], parameters.get(i).toDoubleArray(), 0.0, "parameter " + i + " restored");
            }
            opt.zeroGrad();
            Losses.mse(m.forward(Tensor.ones(4, 3)), Tensor.zeros(4, 2)).backward();
            double[][] grads = parameters.stream().map(p -> p.grad().toDoubleArray()).toArray(double[][]::new);
            opt.step();
            for (int i = 0; i < saved.length; i++) {
                double[] expected = saved[i].clone();
                for (int j = 0; j < expected.length; j++) {
                    expected[j] -= 0.1 * grads[i][j];
                }
                assertArrayEquals(expected, parameters.get(i).toDoubleArray(), 1e-15, "the step moved parameter " + i);
            }
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(grads).flatMapToDouble(
                    java.util.Arrays::stream).anyMatch(g -> g != 0), "the loss has a gradient, so the step did something");
        }

        @Test
        void savingReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
            Path path = dir.resolve("model.safetensors");
            Files.writeString(path, "old");
            SafeTensors.write(Map.of("a", Tensor.ones(2)), path);
            assertEquals(List.of(path), Files.list(dir).toList());
            assertArrayEquals(new double[] {1, 1}, SafeTensors.read(path).tensors().get("a").toDoubleArray());
        }
    }

    @Nested
    class Layout {
        @Test
        void headerLengthJsonPaddingAndLittleEndianData() {
            byte[] bytes = SafeTensors.toBytes(Map.of("test", Tensor.zeros(DType.FLOAT32, 2, 2)), Map.of());
            String json = "{\"__metadata__\":{" + checksumEntry(new byte[16]) + "},"
                    + "\"test\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
            assertEquals(158, json.length());
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(160, b.getLong(0), "158 bytes of JSON padded with spaces to a multiple of 8");
            assertEquals(json + "  ", new String(bytes, 8, 160, StandardCharsets.UTF_8));
            assertEquals(8 + 160 + 16, bytes.length);
            byte[] one = SafeTensors.toBytes(Map.of("x", Tensor.of(new double[] {1.0}, 1)), Map.of());
            long n = ByteBuffer.wrap(one).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            // 1.0 = 0x3FF0000000000000, least significant byte first
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F}, Arrays.copyOfRange(one, 8 + (int) n, one.length));
        }

        @Test
        void tensorsAreSortedByElementSizeThenNameAndMetadataComesFirst() {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("b32", Tensor.zeros(DType.FLOAT32, 1));
            tensors.put("z64", Tensor.zeros(1));
            tensors.put("a32", Tensor.zeros(DType.FLOAT32, 1));
            tensors.put("a64", Tensor.zeros(1));
            byte[] bytes = SafeTensors.toBytes(tensors, Map.of("zeta", "1", "alpha", "2"));
            int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            String header = new String(bytes, 8, n, StandardCharsets.UTF_8).strip();
            assertEquals("{\"__metadata__\":{\"alpha\":\"2\"," + checksumEntry(Arrays.copyOfRange(bytes, 8 + n, bytes.length))
                    + ",\"zeta\":\"1\"},"
                    + "\"a64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                    + "\"z64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                    + "\"a32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                    + "\"b32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}", header);
            assertEquals(List.of("a64", "z64", "a32", "b32"), List.copyOf(SafeTensors.fromBytes(bytes).tensors().keySet()));
        }

        /** Written by the reference implementation: Python safetensors 0.8.0, {@code safetensors.numpy.save}. */
        private static final String REFERENCE = "8AAAAAAAAAB7ImJpYXMiOnsiZHR5cGUiOiJGNjQiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlswLDE2XX0sInNj"
                + "YWxhciI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbXSwiZGF0YV9vZmZzZXRzIjpbMTYsMjRdfSwiZW1wdHkiOnsiZHR5cGUiOiJGMzIi"
                + "LCJzaGFwZSI6WzAsM10sImRhdGFfb2Zmc2V0cyI6WzI0LDI0XX0sIndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwi"
                + "ZGF0YV9vZmZzZXRzIjpbMjQsNDhdfX0AAAAAAADgPwAAAAAAANC/AAAAAAAACEAAAMA/AAAAwAAAUEAAAAAAbxKDOgAA4MA=";

        /** The same reference library with metadata (its metadata order is a hash map's). */
        private static final String REFERENCE_WITH_METADATA = "+AAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJub3RlIjoibWFkZSBieSBzYWZldGVuc29y"
                + "cyAwLjguMCIsImZvcm1hdCI6Im5wIn0sImJpYXMiOnsiZHR5cGUiOiJGNjQiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlswLDE2"
                + "XX0sInNjYWxhciI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbXSwiZGF0YV9vZmZzZXRzIjpbMTYsMjRdfSwid2VpZ2h0Ijp7ImR0eXBl"
                + "IjoiRjMyIiwic2hhcGUiOlsyLDNdLCJkYXRhX29mZnNldHMiOlsyNCw0OF19fSAgIAAAAAAAAOA/AAAAAAAA0L8AAAAAAAAIQAAAwD8AAA"
                + "DAAABQQAAAAABvEoM6AADgwA==";

        private Map<String, Tensor> referenceTensors() {
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("weight", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f}, 2, 3));
            t.put("bias", Tensor.of(new double[] {0.5, -0.25}, 2));
            t.put("scalar", Tensor.scalar(3.0));
            t.put("empty", Tensor.zeros(DType.FLOAT32, 0, 3));
            return t;
        }

        /**
         * The reference implementation's bytes, as this library writes them: the same layout and data, with the
         * data's checksum as the only metadata entry.
         */
        @Test
        void writesTheSameBytesAsTheReferenceImplementationPlusTheChecksum() {
            byte[] reference = Base64.getDecoder().decode(REFERENCE);
            int n = (int) ByteBuffer.wrap(reference).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            byte[] data = Arrays.copyOfRange(reference, 8 + n, reference.length);
            String json = new String(reference, 8, n, StandardCharsets.UTF_8).strip();
            String withChecksum = "{\"__metadata__\":{" + checksumEntry(data) + "}," + json.substring(1);
            int padded = (withChecksum.length() + 7) / 8 * 8;
            byte[] expected = file(withChecksum + " ".repeat(padded - withChecksum.length()), data);
            assertArrayEquals(expected, SafeTensors.toBytes(referenceTensors(), Map.of()));
        }

        @Test
        void readsFilesOfTheReferenceImplementation() {
            SafeTensors.Contents c = SafeTensors.fromBytes(Base64.getDecoder().decode(REFERENCE_WITH_METADATA));
            assertEquals(Map.of("note", "made by safetensors 0.8.0", "format", "np"), c.metadata());
            Map<String, Tensor> want = referenceTensors();
            want.remove("empty");
            assertEquals(want.keySet(), c.tensors().keySet());
            for (var e : want.entrySet()) {
                Tensor got = c.tensors().get(e.getKey());
                assertEquals(e.getValue().dtype(), got.dtype());
                assertArrayEquals(e.getValue().shape(), got.shape());
                assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray(), 0.0);
            }
            Tensor empty = SafeTensors.fromBytes(Base64.getDecoder().decode(REFERENCE)).tensors().get("empty");
            assertArrayEquals(new int[] {0, 3}, empty.shape());
            assertEquals(DType.FLOAT32, empty.dtype());
        }
    }

    @Nested
    class CorruptedFiles {
        private final byte[] data = doubles(1, 2, 3);

        @Test
        void malformedJson() {
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}", data),
                    "invalid JSON header", "expected ',' or '}'");
            assertMessage(file("[1, 2, 3]", data), "the header must be a JSON object");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}} x", data),
                    "unexpected content after the header's JSON object");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24],}}", data),
                    "expected a string");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3.0],\"data_offsets\":[0,24]}}", data),
                    "must hold integers, not numbers with a fraction or exponent");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[03],\"data_offsets\":[0,24]}}", data), "leading zeros");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[-8,24]}}", data),
                    "negative number");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,99999999999999999999]}}", data),
                    "too large for 64 bits");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24],\"extra\":1}}", data),
                    "unknown field \"extra\"");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3]}}", data), "lacks data_offsets");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                    + "\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}", data), "duplicate tensor name \"a\"");
            assertMessage(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "must be a string");
            assertMessage(file("{\"a\u0001\":{}}", data), "unescaped control character");
            assertMessage(file("{\"\\ud800\":{}}", data), "unpaired high surrogate");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24,48]}}", data),
                    "more than 2 entries");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[" + "1,".repeat(70) + "3],\"data_offsets\":[0,24]}}", data),
                    "more than 64 entries");
        }

        @Test
        void escapesAndMultiByteCharactersAreDecodedAndErrorsCountCharacters() {
            String name = SafeTensors.fromBytes(file("{\"\\u00e9\\ud83d\\ude00\\/\\t é😀\":"
                    + "{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}", data)).tensors().keySet().iterator().next();
            assertEquals("é😀/\t é😀", name);
            // 'é' is 2 bytes and '😀' 4 bytes (2 chars): the position counts characters as an editor does
            assertMessage(file("{\"é😀\":{\"dtype\":\"F64\",\"shape\":[3.0],\"data_offsets\":[0,24]}}", data),
                    "at character 31:", "(found '3.0],\"data_offsets\":')");
            assertMessage(file("{\"__metadata__\":{\"a\":\"\\ud83d\\u0041\"}}", data), "at character 28:",
                    "a high surrogate escape must be followed by a low surrogate");
            assertMessage(file("{\"\\ude00\"}", data), "at character 2:", "unpaired low surrogate");
            assertMessage(file("{\"\\u00g0\"}", data), "invalid hex digit");
            assertMessage(file("{\"\\x\"}", data), "at character 3:", "invalid escape '\\x'");
        }

        @Test
        void invalidUtf8() {
            byte[] bytes = file("{\"ab\":{}}", data);
            bytes[10] = (byte) 0xC3;   // a lead byte without its continuation
            assertMessage(bytes, "not valid UTF-8");
        }

        @Test
        void wrongOffsets() {
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}}", data),
                    "needs 24 bytes but its data_offsets [0, 16] span 16");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                    + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", data),
                    "tensor 'b' occupies bytes [16, 24) but the previous tensor 'a' ends at byte 8");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                    + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]}}", data), "must not overlap");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", data),
                    "the data section starts at byte 0");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[8,0]}}", data),
                    "the begin is after the end");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", data),
                    "8 bytes after the last tensor belong to no tensor");
        }

        @Test
        void hugeHeaderLength() {
            byte[] bytes = file("{}", new byte[0]);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 62);
            assertMessage(bytes, "the header length field says 4611686018427387904 bytes", "the limit is 100000000");
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
            assertMessage(bytes, "18446744073709551615 bytes");
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 50_000_000L);
            assertMessage(bytes, "only 2 bytes follow it", "truncated");
        }

        @Test
        void hugeShapesAreRefusedBeforeAllocating() {
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[100000,100000,100000],\"data_offsets\":[0,24]}}", data),
                    "more elements than a Java array holds");
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296],\"data_offsets\":[0,24]}}", data),
                    "beyond what a Java array holds");
            // a consistent header that claims 8 GB of data the file does not have
            assertMessage(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[1000000000],\"data_offsets\":[0,8000000000]}}", data),
                    "ends at byte 8000000000", "only 24 bytes follow the header", "truncated");
        }

        @Test
        void unsupportedAndUnknownDtypes() {
            assertMessage(file("{\"a\":{\"dtype\":\"I16\",\"shape\":[3],\"data_offsets\":[0,6]}}", new byte[6]),
                    "dtype I16", "reads F64, F32, F16 and BF16");
            assertMessage(file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[3],\"data_offsets\":[0,6]}}", new byte[6]),
                    "not a safetensors dtype");
        }

        @Test
        void everyTruncationIsReported() {
            byte[] full = SafeTensors.toBytes(trainedModel(4).stateDict(), Map.of("k", "v"));
            for (int length = 0; length < full.length; length++) {
                byte[] cut = Arrays.copyOf(full, length);
                String m = errorOf(cut);
                assertTrue(m.contains("truncated") || m.contains("invalid JSON") || m.contains("not valid UTF-8"),
                        "length " + length + ": " + m);
            }
        }

        @Test
        void missingFilesAreIoErrors() {
            Path missing = dir.resolve("nope.safetensors");
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(missing));
            assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
            NnTestSupport.assertMentions(assertThrows(UncheckedIOException.class, () -> SafeTensors.load(new ReLU(), missing)), "load");
            NnTestSupport.assertMentions(assertThrows(UncheckedIOException.class,
                    () -> SafeTensors.write(Map.of("a", Tensor.ones(1)), dir.resolve("no/such/dir/x.safetensors"))), "write");
        }

        @Test
        void invalidNamesAreRefusedWhenWriting() {
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.ones(1)), Map.of())), "toBytes");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.toBytes(Map.of("bad\ud800", Tensor.ones(1)), Map.of())), "toBytes");
        }
    }

    @Nested
    class Checksum {
        private byte[] dataOf(byte[] file) {
            int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            return Arrays.copyOfRange(file, 8 + n, file.length);
        }

        @Test
        void writeStoresTheDataChecksumAndReadVerifiesAndHidesIt() throws Exception {
            Path path = dir.resolve("c.safetensors");
            Map<String, String> metadata = Map.of("arch", "3-8-2", "note", "sha256 of nothing");
            SafeTensors.write(trainedModel(8).stateDict(), metadata, path);
            byte[] bytes = Files.readAllBytes(path);
            byte[] data = dataOf(bytes);
            assertEquals(sha256(data, 0, data.length), SafeTensors.readHeader(path).metadata().get(SafeTensors.CHECKSUM_KEY));
            assertEquals(metadata, SafeTensors.read(path).metadata(), "the user's metadata, exactly");
            assertEquals(metadata, SafeTensors.fromBytes(bytes).metadata());
            SafeTensors.load(trainedModel(9), path);
        }

        @Test
        void aFlippedDataBitIsRefusedNamingTheFileAndTheModuleIsUnchanged() throws Exception {
            Path path = dir.resolve("flipped.safetensors");
            SafeTensors.save(trainedModel(10), path);
            byte[] bytes = Files.readAllBytes(path);
            bytes[bytes.length - 5] ^= 0x10;   // a low mantissa bit of the last value: still a plausible number
            Files.write(path, bytes);
            Module target = trainedModel(11);
            Map<String, double[]> before = new LinkedHashMap<>();
            target.stateDict().forEach((k, v) -> before.put(k, v.toDoubleArray()));
            String m = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(target, path)).getMessage();
            assertTrue(m.startsWith("SafeTensors.load: " + path + ": the data does not match its checksum"), m);
            target.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toDoubleArray(), 0.0, k));
            m = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(path)).getMessage();
            assertTrue(m.startsWith("SafeTensors.read: " + path + ": the data does not match its checksum"), m);
            assertMessage(bytes, "SafeTensors.fromBytes: bytes: the data does not match its checksum");
            SafeTensors.readHeader(path);   // the header alone is intact
        }

        @Test
        void filesWithoutAChecksumLoad() throws Exception {
            Module m = trainedModel(12);
            byte[] written = SafeTensors.toBytes(m.stateDict(), Map.of("arch", "x"));
            int n = (int) ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            String json = new String(written, 8, n, StandardCharsets.UTF_8).strip();
            // The same file as another writer would make it: no checksum entry.
            String without = json.replaceFirst(",\"data_sha256\":\"[0-9a-f]{64}\"", "");
            assertTrue(without.length() < json.length(), without);
            Path path = dir.resolve("plain.safetensors");
            Files.write(path, file(without, dataOf(written)));
            SafeTensors.load(trainedModel(13), path);
            assertEquals(Map.of("arch", "x"), SafeTensors.read(path).metadata());
            assertTrue(SafeTensors.readHeader(path).metadata().containsKey("arch"));
        }

        @Test
        void contentsReadCanBeWrittenAgain() {
            Path a = dir.resolve("a.safetensors");
            Path b = dir.resolve("b.safetensors");
            SafeTensors.write(Map.of("w", Tensor.ones(3)), Map.of("k", "v"), a);
            SafeTensors.Contents c = SafeTensors.read(a);
            SafeTensors.write(c.tensors(), c.metadata(), b);
            assertEquals(Map.of("k", "v"), SafeTensors.read(b).metadata());
        }

        @Test
        void theReservedKeyIsRefusedInUserMetadata() {
            Path path = dir.resolve("r.safetensors");
            Map<String, String> metadata = Map.of(SafeTensors.CHECKSUM_KEY, "mine");
            String m = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.write(Map.of("w", Tensor.ones(1)), metadata, path)).getMessage();
            assertTrue(m.startsWith("SafeTensors.write: the metadata key \"data_sha256\" is reserved"), m);
            m = assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(new ReLU(), path, metadata)).getMessage();
            assertTrue(m.startsWith("SafeTensors.save: "), m);
            m = assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(Map.of(), metadata)).getMessage();
            assertTrue(m.startsWith("SafeTensors.toBytes: "), m);
            assertTrue(Files.notExists(path));
        }

        @Test
        void aMalformedChecksumEntryIsRefused() {
            assertMessage(file("{\"__metadata__\":{\"data_sha256\":\"abc\"},\"a\":{\"dtype\":\"F64\",\"shape\":[3],"
                    + "\"data_offsets\":[0,24]}}", doubles(1, 2, 3)), "\"data_sha256\" should be the SHA-256 of the data as 64 hex"
                    + " digits but is \"abc\"");
            byte[] data = doubles(1, 2, 3);
            // Upper-case hex, as another tool might write it, verifies too.
            SafeTensors.fromBytes(file("{\"__metadata__\":{\"data_sha256\":\"" + sha256(data, 0, data.length).toUpperCase()
                    + "\"},\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}", data));
        }
    }

    @Nested
    class MismatchedFiles {
        @Test
        void everyMismatchIsReportedAndTheModuleIsUnchanged() {
            Module saved = new Sequential(new Linear(3, 4, new Random(1)), new ReLU(), new Linear(4, 2, new Random(2)),
                    new LayerNorm(2));
            Path path = dir.resolve("other.safetensors");
            SafeTensors.save(saved, path);
            Module target = trainedModel(5);
            Map<String, double[]> before = new LinkedHashMap<>();
            target.stateDict().forEach((k, v) -> before.put(k, v.toDoubleArray()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(target, path));
            String m = e.getMessage();
            assertTrue(m.contains("does not fit Sequential"), m);
            assertTrue(m.contains("missing keys (4): [1.weight, 1.bias, 1.running_mean, 1.running_var]"), m);
            assertTrue(m.contains("unexpected keys (2): [2.bias, 2.weight]"), m);
            assertTrue(m.contains("shape of '3.weight': expected [2, 8], found [2]"), m);
            assertTrue(m.contains("shape of '0.weight': expected [8, 3], found [4, 3]"), m);
            assertTrue(m.contains("shape of '0.bias': expected [8], found [4]"), m);
            target.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toDoubleArray(), 0.0, k));
        }

        @Test
        void dtypeMismatchIsReported() {
            Module a = trainedModel(6);
            Path path = dir.resolve("f32.safetensors");
            SafeTensors.save(trainedModel(6).to(DType.FLOAT32), path);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(a, path));
            assertTrue(e.getMessage().contains("dtype of '0.weight': expected FLOAT64, found FLOAT32"), e.getMessage());
            a.to(DType.FLOAT32);
            SafeTensors.load(a, path);
        }

        @Test
        void corruptedDataSectionIsNotSilentlyAccepted() throws Exception {
            Module m = trainedModel(7);
            Path path = dir.resolve("m.safetensors");
            SafeTensors.save(m, path);
            byte[] bytes = Files.readAllBytes(path);
            Files.write(path, Arrays.copyOf(bytes, bytes.length + 8));     // 8 stray bytes appended
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(m, path));
            assertTrue(e.getMessage().contains("8 bytes after the last tensor belong to no tensor"), e.getMessage());
            Files.write(path, Arrays.copyOf(bytes, bytes.length - 1));     // last byte lost
            e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(m, path));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void readHeaderDescribesTensorsWithoutData() {
        Path path = dir.resolve("h.safetensors");
        SafeTensors.write(Map.of("w", Tensor.zeros(2, 3), "v", Tensor.zeros(DType.FLOAT32, 4)), path);
        SafeTensors.Header h = SafeTensors.readHeader(path);
        List<String> described = new ArrayList<>();
        h.tensors().values().forEach(t -> described.add(t.toString()));
        assertEquals(List.of("w: FLOAT64 [2, 3] bytes [0, 48)", "v: FLOAT32 [4] bytes [48, 64)"), described);
        assertEquals(new SafeTensors.TensorInfo("w", DType.FLOAT64, new int[] {2, 3}, 0, 48), h.tensors().get("w"));
        assertEquals(0, h.dataStart() % 8);
        assertEquals(List.of("data_sha256"), List.copyOf(h.metadata().keySet()), "the header as written, checksum included");
    }
}
