package dev.autograd.nn;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child-JVM program for {@link SafeTensorsMemoryTest}: writes a file whose header has a given size, streaming
 * it so that writing needs almost no heap, then reads the header back with {@link SafeTensors#readHeader}. Run
 * under a small {@code -Xmx}, it exits with 0 only when parsing that header fits the heap.
 *
 * <p>Arguments: the file to create, the header size in bytes (rounded up to a multiple of 8), and
 * {@code tensors} (a header of minimal entries, the most objects per header byte) or {@code metadata} (one
 * metadata string filling the header, the longest single value).
 */
final class SafeTensorsHeaderMemory {

    private SafeTensorsHeaderMemory() {
    }

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        long size = (Long.parseLong(args[1]) + 7) / 8 * 8;
        boolean tensors = args[2].equals("tensors");
        long count = write(path, size, tensors);
        long start = System.nanoTime();
        SafeTensors.Header h = SafeTensors.readHeader(path);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (h.tensors().size() != count) {
            throw new AssertionError("read " + h.tensors().size() + " tensors, wrote " + count);
        }
        System.out.println("header " + size + " bytes, " + count + " tensors: parsed in " + millis + " ms");
        Files.delete(path);
    }

    /** Writes the file and returns its number of tensors (each an F32 scalar). */
    private static long write(Path path, long size, boolean tensors) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size).array());
            long written = 0;
            long count = 0;
            String last = "\"_last\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[%d,%d]}}";
            if (!tensors) {
                written += ascii(out, "{\"__metadata__\":{\"k\":\"");
                long fill = size - written - 2 - last.length() - 40;
                byte[] chunk = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);
                for (long left = fill; left > 0; left -= Math.min(left, chunk.length)) {
                    out.write(chunk, 0, (int) Math.min(left, chunk.length));
                }
                written += fill + ascii(out, "\"},");
            } else {
                written += ascii(out, "{");
                // Short names and scalar entries: about 50 header bytes per tensor.
                while (written + 200 < size) {
                    written += ascii(out, "\"" + Long.toString(count, 36) + "\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":["
                            + count * 4 + "," + (count * 4 + 4) + "]},");
                    count++;
                }
            }
            written += ascii(out, String.format(last, count * 4, count * 4 + 4));
            count++;
            for (; written < size; written++) {
                out.write(' ');
            }
            if (written != size) {
                throw new AssertionError("header of " + written + " bytes, meant " + size);
            }
            out.write(new byte[(int) (count * 4 % (1 << 20))]);
            for (long i = 0; i < count * 4 / (1 << 20); i++) {
                out.write(new byte[1 << 20]);
            }
            return count;
        }
    }

    private static int ascii(OutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b);
        return b.length;
    }
}
