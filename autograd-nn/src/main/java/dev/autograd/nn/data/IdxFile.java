package dev.autograd.nn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The contents of an IDX file, the format of MNIST and Fashion-MNIST, read from a plain or a gzipped file
 * (told apart by the gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <p>The format: a 4-byte big-endian magic number {@code 0x0000TTDD} (two zero bytes, the type code
 * {@code TT}, the number of dimensions {@code DD}), then {@code DD} big-endian 32-bit sizes, then the
 * elements in row-major order. Label files are {@code 0x00000801} (unsigned bytes, 1 dimension), image files
 * {@code 0x00000803} (unsigned bytes, 3 dimensions: count, rows, columns). This reader reads the byte types,
 * unsigned ({@code 0x08}) and signed ({@code 0x09}); files of the wider types ({@code 0x0B} short,
 * {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double) are refused by name.
 *
 * <p>Everything is checked before the data array is allocated: the magic number, the sizes (read as unsigned
 * 32-bit numbers), their product against the largest Java array, and that product against the length of the
 * data in the file: exactly for a plain file; for a gzipped one from the gzip trailer's length field, or
 * when that disagrees (several gzip members, or damage) by decompressing once without keeping the bytes. A
 * truncated file, extra bytes after the data and a damaged gzip stream are refused too. Every refusal is an
 * {@link IdxFormatException} naming the file and what is wrong; an I/O error is an
 * {@link UncheckedIOException} naming the file.
 *
 * <pre>{@code
 * IdxFile images = IdxFile.read(Path.of("train-images-idx3-ubyte.gz"), 3);   // dimensions() {60000, 28, 28}
 * float[] pixels = images.toFloats(1f / 255);                                 // in [0, 1]
 * }</pre>
 */
public final class IdxFile {

    /** The type code of unsigned bytes (MNIST's images and labels). */
    public static final int UNSIGNED_BYTE = 0x08;

    /** The type code of signed bytes. */
    public static final int SIGNED_BYTE = 0x09;

    /** The most elements a Java array reliably holds (some VMs reserve header words in the last few). */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int BUFFER = 1 << 16;

    private final Path path;
    private final int typeCode;
    private final int[] dimensions;
    private final byte[] data;

    private IdxFile(Path path, int typeCode, int[] dimensions, byte[] data) {
        this.path = path;
        this.typeCode = typeCode;
        this.dimensions = dimensions;
        this.data = data;
    }

    /**
     * Reads an IDX file of unsigned or signed bytes with any number of dimensions.
     *
     * @param file a plain or gzipped IDX file
     * @return its contents
     * @throws IdxFormatException  when the file is not a readable IDX file of bytes (see the class comment)
     * @throws UncheckedIOException when the file is missing or cannot be read
     */
    public static IdxFile read(Path file) {
        return read(file, -1);
    }

    /**
     * Reads an IDX file of unsigned or signed bytes that must have {@code dimensions} dimensions, e.g. 1 for
     * a label file (magic {@code 0x00000801}) or 3 for an image file ({@code 0x00000803}).
     *
     * @param file       a plain or gzipped IDX file
     * @param dimensions the number of dimensions the file must declare, 1 to 255
     * @return its contents
     * @throws IdxFormatException  when the file is not a readable IDX file of bytes or declares another number
     *                              of dimensions
     * @throws UncheckedIOException when the file is missing or cannot be read
     */
    public static IdxFile read(Path file, int dimensions) {
        Objects.requireNonNull(file, "IdxFile.read: file is null");
        if (dimensions != -1 && (dimensions < 1 || dimensions > 255)) {
            throw new IllegalArgumentException("IdxFile.read: an IDX file has 1 to 255 dimensions, asked for " + dimensions);
        }
        try {
            long fileLength = Files.size(file);
            boolean gzip = isGzip(file);
            try (InputStream in = open(file, gzip)) {
                return read(file, in, gzip, fileLength, dimensions);
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("IDX file " + file + ": no such file", e);
        } catch (ZipException e) {
            throw new IdxFormatException(file, "the gzip data is damaged (" + e.getMessage() + "); download the file again", e);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "the file is truncated: it ends inside its gzip stream ("
                    + e.getMessage() + "); download the file again", e);
        } catch (IOException e) {
            throw new UncheckedIOException("IDX file " + file + ": cannot read it: " + e, e);
        }
    }

    private static IdxFile read(Path file, InputStream in, boolean gzip, long fileLength, int wantedDims) throws IOException {
        byte[] magic = new byte[4];
        int got = readFully(in, magic, 0, 4);
        if (got < 4) {
            throw new IdxFormatException(file, "the file is truncated: it has " + got + " byte" + (got == 1 ? "" : "s")
                    + (gzip ? " after decompression" : "") + ", fewer than the 4 of an IDX magic number");
        }
        int magicNumber = ByteBuffer.wrap(magic).getInt();
        int type = magic[2] & 0xFF;
        int rank = magic[3] & 0xFF;
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(file, "not an IDX file: its magic number is " + hex(magicNumber)
                    + ", where an IDX file starts with two zero bytes (0x00000801 for labels, 0x00000803 for images)");
        }
        if (type != UNSIGNED_BYTE && type != SIGNED_BYTE) {
            String known = switch (type) {
                case 0x0B -> "16-bit integers (type code 0x0B)";
                case 0x0C -> "32-bit integers (type code 0x0C)";
                case 0x0D -> "32-bit floats (type code 0x0D)";
                case 0x0E -> "64-bit floats (type code 0x0E)";
                default -> null;
            };
            throw new IdxFormatException(file, known != null
                    ? "it holds " + known + " (magic number " + hex(magicNumber) + "); this reader reads only unsigned"
                            + " bytes (0x08, as MNIST and Fashion-MNIST) and signed bytes (0x09)"
                    : "not an IDX file: its magic number " + hex(magicNumber) + " has the unknown type code "
                            + String.format(Locale.ROOT, "0x%02X", type) + " (IDX knows 0x08, 0x09, 0x0B, 0x0C, 0x0D and 0x0E)");
        }
        if (rank == 0) {
            throw new IdxFormatException(file, "its magic number " + hex(magicNumber) + " declares 0 dimensions");
        }
        if (wantedDims != -1 && rank != wantedDims) {
            throw new IdxFormatException(file, "expected " + wantedDims + " dimension" + (wantedDims == 1 ? "" : "s")
                    + " (magic number " + hex(0x0800 | wantedDims) + ") but its magic number " + hex(magicNumber)
                    + " declares " + rank + (wantedDims == 1 && rank == 3 ? " (an image file where labels were expected?)"
                            : wantedDims == 3 && rank == 1 ? " (a label file where images were expected?)" : ""));
        }
        byte[] header = new byte[4 * rank];
        got = readFully(in, header, 0, header.length);
        if (got < header.length) {
            throw new IdxFormatException(file, "the file is truncated: its magic number declares " + rank + " dimensions,"
                    + " whose sizes take " + header.length + " bytes, but only " + got + " follow");
        }
        ByteBuffer sizes = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        long count = 1;
        long[] unsigned = new long[rank];
        for (int i = 0; i < rank; i++) {
            unsigned[i] = sizes.getInt() & 0xFFFFFFFFL;
            // Each factor is below 2^32 and the running product is capped at 2^31 (above any array's length),
            // so the product never leaves the range of a long.
            count = Math.min(count * unsigned[i], 1L << 31);
        }
        if (count > MAX_ELEMENTS) {
            double exact = 1;
            for (long u : unsigned) {
                exact *= u;
            }
            throw new IdxFormatException(file, "its dimensions " + join(unsigned) + " hold "
                    + String.format(Locale.ROOT, "%.4g", exact) + " elements, more than a Java array holds ("
                    + MAX_ELEMENTS + "); the file is damaged or not an IDX file");
        }
        for (int i = 0; i < rank; i++) {
            dims[i] = (int) unsigned[i];
        }
        long headerLength = 4L + header.length;
        long expected = headerLength + count;
        long actual = gzip ? uncompressedLength(file, fileLength, expected) : fileLength;
        if (actual < expected) {
            throw new IdxFormatException(file, "the file is truncated: its dimensions " + join(unsigned) + " declare "
                    + count + " bytes of data but only " + (actual - headerLength) + " follow the header"
                    + (gzip ? " (after decompression)" : "") + "; download the file again");
        }
        if (actual > expected) {
            throw new IdxFormatException(file, "the file is longer than its header declares: dimensions " + join(unsigned)
                    + " make " + count + " bytes of data but " + (actual - headerLength) + " follow the header"
                    + (gzip ? " (after decompression)" : "") + "; the header or the file is damaged");
        }
        byte[] data = new byte[(int) count];
        got = readFully(in, data, 0, data.length);
        if (got < data.length) {
            throw new IdxFormatException(file, "the file is truncated: its dimensions " + join(unsigned) + " declare "
                    + count + " bytes of data but only " + got + " follow the header; download the file again");
        }
        if (in.read() != -1) {
            throw new IdxFormatException(file, "the file is longer than its header declares: more than the " + count
                    + " bytes of data of dimensions " + join(unsigned) + " follow the header; the header or the file is damaged");
        }
        return new IdxFile(file, type, dims, data);
    }

    /**
     * The uncompressed length of a gzip file without keeping its bytes: the trailer's ISIZE field (the
     * length modulo 2^32 of the last member) when it agrees with {@code expected}, else by decompressing.
     * An agreeing ISIZE is trusted here and confirmed when the data is read.
     */
    private static long uncompressedLength(Path file, long fileLength, long expected) throws IOException {
        // A gzip member has a 10-byte header and an 8-byte trailer; anything shorter ends early.
        if (fileLength >= 18) {
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            try (SeekableByteChannel channel = Files.newByteChannel(file)) {
                channel.position(fileLength - 4);
                while (trailer.hasRemaining() && channel.read(trailer) >= 0) {
                    // read the 4 bytes
                }
            }
            if (!trailer.hasRemaining() && (trailer.getInt(0) & 0xFFFFFFFFL) == (expected & 0xFFFFFFFFL)) {
                return expected;
            }
        }
        long length = 0;
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = open(file, true)) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                length += n;
                if (length > expected) {
                    return length;
                }
            }
        }
        return length;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1F && in.read() == 0x8B;
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            return gzip ? new GZIPInputStream(raw, BUFFER) : raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads up to {@code length} bytes, fewer only at the end of the stream; returns how many. */
    private static int readFully(InputStream in, byte[] into, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, offset + done, length - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }

    private static String join(long[] dims) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : " x ").append(dims[i]);
        }
        return s.toString();
    }

    /** @return the file this was read from */
    public Path path() {
        return path;
    }

    /** @return the element type code: {@link #UNSIGNED_BYTE} or {@link #SIGNED_BYTE} */
    public int typeCode() {
        return typeCode;
    }

    /** @return the sizes of the dimensions, e.g. {@code {60000, 28, 28}} (a copy) */
    public int[] dimensions() {
        return dimensions.clone();
    }

    /**
     * One dimension's size.
     *
     * @param axis from 0
     * @return the size of that dimension
     * @throws IndexOutOfBoundsException when the file has no such dimension
     */
    public int dimension(int axis) {
        if (axis < 0 || axis >= dimensions.length) {
            throw new IndexOutOfBoundsException("IdxFile.dimension: axis " + axis + " of a file with dimensions "
                    + Arrays.toString(dimensions));
        }
        return dimensions[axis];
    }

    /** @return the number of elements, the product of the dimensions */
    public int size() {
        return data.length;
    }

    /**
     * One element as an {@code int}: 0 to 255 for unsigned bytes, -128 to 127 for signed ones.
     *
     * @param index the row-major position, in {@code [0, size())}
     * @return the element's value
     */
    public int get(int index) {
        Objects.checkIndex(index, data.length);
        return typeCode == UNSIGNED_BYTE ? data[index] & 0xFF : data[index];
    }

    /**
     * All elements as {@code int}s, e.g. class labels.
     *
     * @return a new array of {@link #size()} values, in row-major order
     */
    public int[] toInts() {
        int[] out = new int[data.length];
        boolean unsigned = typeCode == UNSIGNED_BYTE;
        for (int i = 0; i < out.length; i++) {
            out[i] = unsigned ? data[i] & 0xFF : data[i];
        }
        return out;
    }

    /**
     * All elements as {@code float}s multiplied by {@code scale}, e.g. {@code 1f / 255} for pixels in
     * {@code [0, 1]}.
     *
     * @param scale the factor
     * @return a new array of {@link #size()} values, in row-major order
     */
    public float[] toFloats(float scale) {
        float[] out = new float[data.length];
        boolean unsigned = typeCode == UNSIGNED_BYTE;
        for (int i = 0; i < out.length; i++) {
            out[i] = (unsigned ? data[i] & 0xFF : data[i]) * scale;
        }
        return out;
    }

    @Override
    public String toString() {
        return "IdxFile(" + path + ", " + (typeCode == UNSIGNED_BYTE ? "unsigned bytes" : "signed bytes") + ", dimensions "
                + Arrays.toString(dimensions) + ")";
    }
}
