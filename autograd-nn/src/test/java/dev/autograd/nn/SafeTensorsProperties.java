package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Robustness of the reader: a damaged file gives an {@link IllegalArgumentException} (damage confined to
 * tensor bytes too, which the writers' checksum catches), never another exception or an
 * {@code OutOfMemoryError}; and any tensors survive a round trip bit for bit.
 */
class SafeTensorsProperties {

    private static final byte[] VALID;
    private static final int HEADER_END;

    static {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("layer.weight", Tensor.randn(new Random(1), 4, 3));
        t.put("layer.bias", Tensor.randn(new Random(2), DType.FLOAT32, 4));
        t.put("step", Tensor.scalar(7));
        VALID = SafeTensors.toBytes(t, Map.of("format", "test"));
        HEADER_END = 8 + (int) ByteBuffer.wrap(VALID).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** Reads and returns normally, or throws IllegalArgumentException; anything else fails the property. */
    private static SafeTensors.Contents readOrReject(byte[] bytes) {
        try {
            return SafeTensors.fromBytes(bytes);
        } catch (IllegalArgumentException expected) {
            return null;
        }
    }

    @Property
    void everyTruncationIsRejected(@ForAll @IntRange(min = 0, max = 10_000) int cut) {
        int length = cut % VALID.length;
        assertEquals(null, readOrReject(Arrays.copyOf(VALID, length)), "a file cut to " + length + " bytes was accepted");
    }

    @Property
    void corruptedBytesAreRejectedOrKeepTheStructure(@ForAll("corruptions") int[] positionAndValue) {
        byte[] bytes = VALID.clone();
        int position = positionAndValue[0] % bytes.length;
        bytes[position] = (byte) positionAndValue[1];
        SafeTensors.Contents c = readOrReject(bytes);
        if (c != null && position >= HEADER_END) {
            assertEquals(VALID[position], bytes[position], "a changed data byte passed the checksum");
        }
    }

    @Property
    void hugeOrRandomHeaderLengthsAreRejected(@ForAll long length) {
        byte[] bytes = VALID.clone();
        if (length == HEADER_END - 8) {
            return;
        }
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        assertEquals(null, readOrReject(bytes));
    }

    @Property
    void randomHeadersAreRejectedCleanly(@ForAll("jsonish") String header) {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        readOrReject(b.array());
    }

    @Property
    void tensorsRoundTripBitForBit(@ForAll("tensors") Tensor t) {
        Tensor back = SafeTensors.fromBytes(SafeTensors.toBytes(Map.of("t", t), Map.of())).tensors().get("t");
        assertEquals(t.dtype(), back.dtype());
        assertArrayEquals(t.shape(), back.shape());
        if (t.dtype() == DType.FLOAT64) {
            assertArrayEquals(t.toDoubleArray(), back.toDoubleArray(), 0.0);
        } else {
            assertArrayEquals(t.toFloatArray(), back.toFloatArray(), 0.0f);
        }
    }

    @Provide
    Arbitrary<int[]> corruptions() {
        return Combinators.combine(Arbitraries.integers().between(0, VALID.length - 1), Arbitraries.integers().between(0, 255))
                .as((p, v) -> new int[] {p, v});
    }

    @Provide
    Arbitrary<String> jsonish() {
        return Arbitraries.strings().withChars("{}[]\":,.-0123456789 eE\\u_dtypeshapdaF64F32__metadata__").ofMaxLength(80);
    }

    @Provide
    Arbitrary<Tensor> tensors() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(3);
        return Combinators.combine(shapes, Arbitraries.longs(), Arbitraries.of(DType.values()))
                .as((shape, seed, dtype) -> Tensor.randn(new Random(seed), dtype, shape).mul(1e3));
    }
}
