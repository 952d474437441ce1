package dev.autograd.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader against hand-made files, good and damaged, plain and gzipped. */
class IdxFileTest {

    @TempDir
    Path dir;

    /** The bytes of an IDX file: magic {@code 0x0000TTDD}, the sizes, the data. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt((type << 8) | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] ramp(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 37);
        }
        return data;
    }

    private IdxFormatException refused(Path file, String... fragments) {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' missing from: " + e.getMessage());
        }
        assertEquals(file, e.file());
        return e;
    }

    @Test
    void readsAPlainImageFile() throws IOException {
        byte[] data = ramp(2 * 3 * 4);
        IdxFile f = IdxFile.read(write("images-idx3-ubyte", idx(0x08, new int[] {2, 3, 4}, data)), 3);
        assertArrayEquals(new int[] {2, 3, 4}, f.dimensions());
        assertEquals(24, f.size());
        assertEquals(IdxFile.UNSIGNED_BYTE, f.typeCode());
        for (int i = 0; i < data.length; i++) {
            assertEquals(data[i] & 0xFF, f.get(i));
            assertEquals((data[i] & 0xFF) / 255f, f.toFloats(1f / 255)[i], 1e-7);
        }
        assertTrue(f.toString().contains("[2, 3, 4]"), f::toString);
    }

    @Test
    void readsAGzippedLabelFileWhateverItsName() throws IOException {
        byte[] labels = {0, 9, 3, 3, 7};
        Path file = write("labels.bin", gzip(idx(0x08, new int[] {5}, labels)));
        IdxFile f = IdxFile.read(file, 1);
        assertArrayEquals(new int[] {0, 9, 3, 3, 7}, f.toInts());
        assertEquals(5, f.dimension(0));
    }

    @Test
    void readsSignedBytesAsSigned() throws IOException {
        IdxFile f = IdxFile.read(write("s", idx(0x09, new int[] {2}, new byte[] {-1, 5})));
        assertArrayEquals(new int[] {-1, 5}, f.toInts());
        assertEquals(-2f, f.toFloats(2)[0]);
    }

    @Test
    void readsAGzipFileOfSeveralMembers() throws IOException {
        // The trailer's length field then counts only the last member: the reader decompresses to measure.
        byte[] whole = idx(0x08, new int[] {4, 5}, ramp(20));
        byte[] first = gzip(Arrays.copyOfRange(whole, 0, 10));
        byte[] second = gzip(Arrays.copyOfRange(whole, 10, whole.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertEquals(20, IdxFile.read(write("two-members.gz", both)).size());
    }

    @Test
    void refusesAFileThatIsNotIdx() throws IOException {
        refused(write("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0}), "not an IDX file", "0x89504E47");
        refused(write("unknown-type", idx(0x42, new int[] {1}, new byte[1])), "unknown type code 0x42");
        refused(write("zero-dims", idx(0x08, new int[0], new byte[0])), "declares 0 dimensions");
    }

    @Test
    void refusesTheWiderTypesByName() throws IOException {
        refused(write("floats", idx(0x0D, new int[] {1}, new byte[4])), "32-bit floats", "0x0D", "only unsigned bytes");
        refused(write("ints", idx(0x0C, new int[] {1}, new byte[4])), "32-bit integers");
    }

    @Test
    void refusesAnotherNumberOfDimensionsThanAsked() throws IOException {
        Path labels = write("labels", idx(0x08, new int[] {3}, new byte[3]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(labels, 3));
        assertTrue(e.getMessage().contains("expected 3 dimensions (magic number 0x00000803)")
                && e.getMessage().contains("a label file where images were expected"), e::getMessage);
    }

    @Test
    void refusesTruncatedFilesPlainAndGzipped() throws IOException {
        byte[] good = idx(0x08, new int[] {10, 28, 28}, ramp(7840));
        byte[] cut = Arrays.copyOf(good, good.length - 100);
        refused(write("cut", cut), "truncated", "7840 bytes of data but only 7740 follow");
        refused(write("cut.gz", gzip(cut)), "truncated", "7840 bytes", "only 7740 follow", "after decompression");
        // The gzip stream itself cut short: its trailer is gone, and the data end inside the deflate stream.
        byte[] z = gzip(good);
        refused(write("cut-stream.gz", Arrays.copyOf(z, z.length / 2)), "truncated");
        refused(write("header-only", Arrays.copyOf(good, 10)), "truncated", "3 dimensions", "12 bytes", "only 6 follow");
        refused(write("two-bytes", new byte[] {0, 0}), "truncated", "2 bytes");
        refused(write("empty.gz", gzip(new byte[0])), "truncated", "0 bytes");
    }

    @Test
    void refusesExtraBytesAfterTheData() throws IOException {
        byte[] good = idx(0x08, new int[] {3}, new byte[] {1, 2, 3});
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        refused(write("long", longer), "longer than its header declares", "3 bytes of data but 4 follow");
        refused(write("long.gz", gzip(longer)), "longer than its header declares");
    }

    @Test
    void refusesADamagedGzipStream() throws IOException {
        byte[] z = gzip(idx(0x08, new int[] {1000}, ramp(1000)));
        for (int i = 12; i < z.length - 8; i++) {
            z[i] ^= 0x5A;
        }
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(write("damaged.gz", z)));
        assertTrue(e.getMessage().contains("damaged.gz"), e::getMessage);
    }

    @Test
    void refusesAbsurdDimensionsBeforeAllocating() throws IOException {
        // 2^31 images of 28 x 28 in a file of a few bytes: refused from the header alone, no array allocated.
        refused(write("huge", idx(0x08, new int[] {Integer.MIN_VALUE, 28, 28}, new byte[16])),
                "2147483648 x 28 x 28", "1.684e+12 elements", "more than a Java array holds");
        refused(write("huge.gz", gzip(idx(0x08, new int[] {-1, -1, -1}, new byte[16]))),
                "4294967295 x 4294967295 x 4294967295", "more than a Java array holds");
        refused(write("just-over", idx(0x08, new int[] {IdxFile.MAX_ELEMENTS + 1}, new byte[0])), "more than a Java array");
        // Within an array's reach but far beyond the file: the length check refuses it, again before allocating.
        refused(write("lying.gz", gzip(idx(0x08, new int[] {2_000_000_000}, new byte[8]))), "truncated",
                "2000000000 bytes of data but only 8 follow");
        refused(write("lying", idx(0x08, new int[] {60000, 28, 28}, new byte[8])), "truncated", "47040000 bytes");
    }

    @Test
    void aMissingFileIsAnUncheckedIoErrorNamingIt() {
        Path missing = dir.resolve("nope.gz");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> IdxFile.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("no such file"), e::getMessage);
    }

    @Test
    void refusesANonsensicalDimensionCountArgument() {
        assertThrows(IllegalArgumentException.class, () -> IdxFile.read(dir.resolve("x"), 0));
    }
}
