package dev.autograd.nn;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model files in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, readable
 * by other tools (Python's {@code safetensors}, PyTorch, NumPy readers):
 *
 * <pre>
 * [8 bytes]  N, the header length, unsigned little-endian
 * [N bytes]  a UTF-8 JSON object: {"__metadata__": {"key": "value", ...},            (optional)
 *                                  "name": {"dtype": "F64", "shape": [2, 3], "data_offsets": [0, 48]}, ...}
 *            padded with spaces to a multiple of 8 bytes, as the reference implementation does
 * [rest]     the tensors' raw little-endian row-major bytes; data_offsets are relative to this section
 * </pre>
 *
 * <p>Writing sorts tensors as the reference implementation does, by element size (largest first, so every
 * tensor's data stays aligned to its element size) and then by name, and writes the metadata keys sorted:
 * the same tensors always give the same bytes. Files are written to a temporary file in the same folder
 * and then moved into place, so an interrupted save never leaves a half-written model under the name.
 *
 * <p>Reading never uses Java serialization and validates everything before allocating tensor memory: the
 * header length against the file size and {@link #MAX_HEADER_BYTES}; the JSON strictly (RFC 8259 syntax,
 * no duplicate keys, no unknown fields, integers only where integers belong); every dtype (this engine
 * reads {@code F64}, {@code F32}, {@code F16} and {@code BF16}, the last two bit for bit as PyTorch writes
 * {@code torch.float16} and {@code torch.bfloat16}); every shape (at most {@link #MAX_RANK} axes, element counts that fit
 * a Java array); and the offsets, which must be {@code numel * itemsize} long, contiguous, non-overlapping
 * and cover the data section exactly (as the reference implementation requires). A corrupted or truncated
 * file therefore gives an {@link IllegalArgumentException} naming the problem, never an
 * {@code OutOfMemoryError} or a silently wrong model; I/O failures give an {@link UncheckedIOException}.
 * The header is parsed from its bytes, never decoded whole into a string, so its memory stays a small
 * multiple of its size: a 99 MB header parses in a 200 MB heap when it is one long metadata string, and in a
 * 320 MB heap when it is 1.5 million minimal tensor entries (whose parsed form alone is over twice the header).
 *
 * <p>The format itself has no checksum, so the writers here add one: the SHA-256 of the data section under
 * the metadata key {@link #CHECKSUM_KEY}. The readers verify it when present and refuse a file whose data no
 * longer matches it (a flipped bit, a damaged copy) with an {@link IllegalArgumentException}; other tools
 * ignore the entry as ordinary metadata.
 *
 * <pre>{@code
 * SafeTensors.save(model, Path.of("out/model.safetensors"));
 * SafeTensors.load(freshModel, Path.of("out/model.safetensors"));   // checks names, shapes and dtypes
 * }</pre>
 */
public final class SafeTensors {

    /** The largest header accepted, 100 MB, the reference implementation's limit. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The largest number of axes accepted in a shape. */
    public static final int MAX_RANK = 64;

    /** The reserved header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * The {@code __metadata__} key under which {@link #write}, {@link #save} and {@link #toBytes} store the
     * SHA-256 of the data section (every byte after the header), as 64 lowercase hex digits, and which
     * {@link #read}, {@link #load} and {@link #fromBytes} verify when present. It is reserved: metadata
     * passed to a writer may not use it. Files without it, such as those of other safetensors writers,
     * load unverified.
     */
    public static final String CHECKSUM_KEY = "data_sha256";

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensors.class);
    private static final int CHUNK = 1 << 20;
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "I32",
            "U32", "I64", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    private SafeTensors() {
    }

    /**
     * The tensors and metadata of a file.
     *
     * @param tensors  the tensors by name, in the order of their data in the file
     * @param metadata the {@code __metadata__} entries (empty when there are none), without
     *                 {@link #CHECKSUM_KEY}: the readers verify it and leave it out, so that contents read
     *                 from one file can be written to another
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {

        /**
         * Makes both maps unmodifiable.
         *
         * @param tensors  the tensors by name
         * @param metadata the metadata
         */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * What the header says about one tensor.
     *
     * @param name  the tensor's name
     * @param dtype its element type
     * @param shape its extents
     * @param begin the offset of its first byte in the data section
     * @param end   the offset after its last byte
     */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {

        /**
         * Copies the shape.
         *
         * @param name  the name
         * @param dtype the element type
         * @param shape the extents
         * @param begin the first byte
         * @param end   the byte after the last
         */
        public TensorInfo {
            shape = shape.clone();
        }

        /** @return the extents (a copy) */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                    && begin == t.begin && end == t.end;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
        }

        @Override
        public String toString() {
            return name + ": " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
        }
    }

    /**
     * A validated header.
     *
     * @param tensors    the entries by name, in the order of their data
     * @param metadata   the metadata entries as in the file, including {@link #CHECKSUM_KEY} when present
     *                   ({@link #readHeader} reads no data, so it checks the entry's form, not the data)
     * @param dataStart  the file offset of the data section, {@code 8 + N}
     */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

        /**
         * Makes both maps unmodifiable.
         *
         * @param tensors   the entries
         * @param metadata  the metadata
         * @param dataStart the data section's offset
         */
        public Header {
            // A header of a million tensors would need its map twice over if the one the parser built were copied.
            tensors = Collections.unmodifiableMap(tensors instanceof Sealed ? tensors : new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    // ---------------------------------------------------------------- modules

    /**
     * Saves a module's {@link Module#stateDict()} (parameters and buffers) to {@code path}.
     *
     * @param module the module
     * @param path   the file to create or replace; its folder must exist (it is not created: a mistyped
     *               folder would otherwise silently receive the model)
     * @throws UncheckedIOException when the file cannot be written; a missing, read-only or non-folder parent
     *                              is named in the message ("SafeTensors.save: folder /x/y does not exist
     *                              (saving model.safetensors)...")
     */
    public static void save(Module module, Path path) {
        save(module, path, Map.of());
    }

    /**
     * Saves a module's state with metadata (e.g. the architecture or the training run).
     *
     * @param module   the module
     * @param path     the file to create or replace
     * @param metadata string entries stored under {@code __metadata__}, next to the checksum under
     *                 {@link #CHECKSUM_KEY}, which they may not use
     * @throws IllegalArgumentException when the metadata uses {@link #CHECKSUM_KEY}
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void save(Module module, Path path, Map<String, String> metadata) {
        writeFile("SafeTensors.save", module.stateDict(), metadata, path);
    }

    /**
     * Loads a file written by {@link #save} (or by any safetensors writer with the same names) into
     * {@code module}, in place: parameter identity is kept, so an existing optimizer stays valid. The header
     * is validated and compared with the module before any data is read: every missing key, unexpected key,
     * shape difference and dtype difference is reported in one message, and nothing is changed. All data is
     * read before the first parameter is overwritten, so a failing read leaves the module as it was.
     *
     * @param module the module to fill
     * @param path   the file
     * @throws IllegalArgumentException when the file is malformed, truncated, fails its checksum or does not
     *                                  fit the module
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static void load(Module module, Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Source source = new ChannelSource(channel, path.toString(), "SafeTensors.load");
            Header header = parseHeader(source);
            Map<String, int[]> shapes = new LinkedHashMap<>();
            Map<String, DType> dtypes = new LinkedHashMap<>();
            header.tensors().forEach((k, v) -> {
                shapes.put(k, v.shape);
                dtypes.put(k, v.dtype);
            });
            String problems = Module.mismatches(module.stateDict(), shapes, dtypes);
            if (problems != null) {
                throw new IllegalArgumentException("SafeTensors.load: " + path + " does not fit "
                        + module.getClass().getSimpleName() + ":\n" + problems);
            }
            Map<String, Tensor> tensors = readData(source, header);
            module.loadStateDict(tensors);
            LOG.debug("loaded {} tensors from {}", tensors.size(), path);
        } catch (IOException e) {
            throw new UncheckedIOException("SafeTensors.load: cannot read " + path + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- tensors

    /**
     * Writes named tensors without metadata.
     *
     * @param tensors the tensors by name (FLOAT64 or FLOAT32, any shape, including 0-d)
     * @param path    the file to create or replace
     */
    public static void write(Map<String, Tensor> tensors, Path path) {
        write(tensors, Map.of(), path);
    }

    /**
     * Writes named tensors and metadata, atomically where the file system allows (a temporary file in the
     * same folder, then a move).
     *
     * @param tensors  the tensors by name; a name may not be {@code "__metadata__"}
     * @param metadata string entries, stored with the data's checksum under {@link #CHECKSUM_KEY}, which they
     *                 may not use
     * @param path     the file to create or replace
     * @throws IllegalArgumentException when a name or value is invalid or the metadata uses {@link #CHECKSUM_KEY}
     * @throws UncheckedIOException     when the file cannot be written
     */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) {
        writeFile("SafeTensors.write", tensors, metadata, path);
    }

    /**
     * Why a file cannot be created in {@code dir}, in the user's terms: the folder is missing, is not a folder,
     * or does not let us write; otherwise the file system's own reason.
     */
    private static UncheckedIOException folderProblem(String op, Path dir, Path file, IOException cause) {
        String saving = " (saving " + file.getFileName() + ")";
        String message;
        if (!Files.exists(dir)) {
            message = op + ": folder " + dir + " does not exist" + saving
                    + "; create it first, e.g. with Files.createDirectories";
        } else if (!Files.isDirectory(dir)) {
            message = op + ": " + dir + " is not a folder" + saving;
        } else if (cause instanceof java.nio.file.AccessDeniedException || !Files.isWritable(dir)) {
            message = op + ": folder " + dir + " is not writable" + saving;
        } else {
            // the file system's reason without its path, which would be the temporary file's (the cause keeps it)
            String reason = cause instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : cause.getClass().getSimpleName();
            message = op + ": cannot create a file in folder " + dir + saving + ": " + reason;
        }
        return new UncheckedIOException(message, cause);
    }

    private static void writeFile(String op, Map<String, Tensor> tensors, Map<String, String> metadata, Path path) {
        Path absolute = path.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        try {
            List<Map.Entry<String, Tensor>> order = ordered(op, tensors);
            HeaderBytes header = headerBytes(op, order, metadata);
            MessageDigest digest = sha256();
            // A sibling created like any new file (so it gets the usual permissions, unlike createTempFile's
            // owner-only ones), never clobbering an existing file.
            tmp = dir.resolve("." + absolute.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            FileChannel opened;
            try {
                opened = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            } catch (IOException e) {
                tmp = null;
                // Name the folder the user gave, not the hidden temporary file that could not be created.
                throw folderProblem(op, dir, absolute, e);
            }
            try (FileChannel out = opened) {
                writeAll(out, ByteBuffer.wrap(header.bytes));
                for (var e : order) {
                    writeData(out, e.getValue(), digest);
                }
                // The checksum goes into the header, which precedes the data: its placeholder is filled in last.
                ByteBuffer checksum = ByteBuffer.wrap(hex(digest.digest()).getBytes(StandardCharsets.US_ASCII));
                while (checksum.hasRemaining()) {
                    out.write(checksum, header.checksumAt + checksum.position());
                }
                out.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            LOG.debug("wrote {} tensors to {}", order.size(), absolute);
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": cannot write " + path + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The original error matters more than a leftover temporary file.
                }
            }
        }
    }

    /**
     * The bytes of a safetensors file holding these tensors and metadata (for in-memory use; below 2 GB): the
     * bytes {@link #write} would write, checksum included.
     *
     * @param tensors  the tensors by name
     * @param metadata string entries; not {@link #CHECKSUM_KEY}
     * @return the file's bytes
     * @throws IllegalArgumentException when a name or value is invalid or the metadata uses {@link #CHECKSUM_KEY}
     */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> order = ordered("SafeTensors.toBytes", tensors);
        HeaderBytes header = headerBytes("SafeTensors.toBytes", order, metadata);
        long total = header.bytes.length;
        for (var e : order) {
            total += (long) e.getValue().numel() * e.getValue().dtype().bytes();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SafeTensors.toBytes: " + total + " bytes do not fit a byte array; use write");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(header.bytes);
        for (var e : order) {
            putData(buffer, e.getValue());
        }
        byte[] out = buffer.array();
        MessageDigest digest = sha256();
        digest.update(out, header.bytes.length, out.length - header.bytes.length);
        byte[] checksum = hex(digest.digest()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(checksum, 0, out, header.checksumAt, checksum.length);
        return out;
    }

    /**
     * Reads every tensor and the metadata of a file.
     *
     * @param path the file
     * @return its contents, tensors in the order of their data
     * @throws IllegalArgumentException when the file is malformed or truncated, fails its checksum, or holds an
     *                                  unsupported dtype
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static Contents read(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Source source = new ChannelSource(channel, path.toString(), "SafeTensors.read");
            Header header = parseHeader(source);
            return new Contents(readData(source, header), withoutChecksum(header.metadata()));
        } catch (IOException e) {
            throw new UncheckedIOException("SafeTensors.read: cannot read " + path + ": " + e, e);
        }
    }

    /**
     * Reads only the validated header of a file: names, dtypes, shapes and offsets, without the data.
     *
     * @param path the file
     * @return the header
     * @throws IllegalArgumentException when the header is malformed or does not fit the file
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static Header readHeader(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return parseHeader(new ChannelSource(channel, path.toString(), "SafeTensors.readHeader"));
        } catch (IOException e) {
            throw new UncheckedIOException("SafeTensors.readHeader: cannot read " + path + ": " + e, e);
        }
    }

    /**
     * Reads the tensors and metadata held in {@code bytes}, with the same checks as {@link #read(Path)}.
     *
     * @param bytes the content of a safetensors file
     * @return its contents
     * @throws IllegalArgumentException when the bytes are malformed or truncated, or fail their checksum
     */
    public static Contents fromBytes(byte[] bytes) {
        Source source = new ArraySource(bytes);
        try {
            Header header = parseHeader(source);
            return new Contents(readData(source, header), withoutChecksum(header.metadata()));
        } catch (IOException e) {
            throw new UncheckedIOException("SafeTensors.fromBytes: " + e, e);
        }
    }

    // ---------------------------------------------------------------- writing

    private static List<Map.Entry<String, Tensor>> ordered(String op, Map<String, Tensor> tensors) {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), op + ": a tensor name is null");
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException(op + ": '" + METADATA_KEY + "' is reserved for metadata and"
                        + " cannot name a tensor");
            }
            Objects.requireNonNull(e.getValue(), op + ": the tensor '" + name + "' is null");
            order.add(Map.entry(name, e.getValue()));
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().bytes())
                .thenComparing(Map.Entry::getKey));
        return order;
    }

    /**
     * A header whose checksum is still a placeholder of zeros.
     *
     * @param bytes      the length field, the JSON and its padding
     * @param checksumAt where the 64 hex digits of the placeholder start in {@code bytes}
     */
    private record HeaderBytes(byte[] bytes, int checksumAt) {
    }

    private static HeaderBytes headerBytes(String op, List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
        if (metadata.containsKey(CHECKSUM_KEY)) {
            // Overwriting it would silently lose the caller's value; keeping it would store a wrong checksum.
            throw new IllegalArgumentException(op + ": the metadata key \"" + CHECKSUM_KEY + "\" is reserved for the"
                    + " SHA-256 of the data that " + op + " stores itself; store your entry under another key");
        }
        Map<String, String> sorted = new TreeMap<>(metadata);
        sorted.put(CHECKSUM_KEY, "0".repeat(64));
        StringBuilder json = new StringBuilder("{");
        json.append(quote(METADATA_KEY)).append(":{");
        boolean first = true;
        for (var e : sorted.entrySet()) {
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':')
                    .append(quote(Objects.requireNonNull(e.getValue(), op + ": metadata value of '" + e.getKey() + "' is null")));
            first = false;
        }
        json.append('}');
        long offset = 0;
        for (var e : order) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().bytes();
            json.append(',').append(quote(e.getKey())).append(":{\"dtype\":\"")
                    .append(dtypeName(t.dtype())).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] text;
        try {
            text = encodeStrict(json);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(op + ": a tensor name or metadata string is not valid Unicode"
                    + " (an unpaired surrogate); it cannot be written as UTF-8", e);
        }
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(text);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return new HeaderBytes(out.array(), 8 + checksumOffset(text));
    }

    /**
     * Where the checksum's placeholder value starts in the JSON. The metadata comes first and the keys before
     * the checksum's are quoted strings, which cannot hold an unescaped quote, so the first {@code "key":"} is it.
     */
    private static int checksumOffset(byte[] json) {
        byte[] marker = (quote(CHECKSUM_KEY) + ":\"").getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + marker.length <= json.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (json[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i + marker.length;
        }
        throw new IllegalStateException("SafeTensors: no checksum placeholder in the header (a bug)");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SafeTensors: this JVM lacks SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit(b >> 4 & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    private static Map<String, String> withoutChecksum(Map<String, String> metadata) {
        if (!metadata.containsKey(CHECKSUM_KEY)) {
            return metadata;
        }
        Map<String, String> rest = new LinkedHashMap<>(metadata);
        rest.remove(CHECKSUM_KEY);
        return rest;
    }

    private static byte[] encodeStrict(CharSequence s) throws CharacterCodingException {
        ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String dtypeName(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> "F64";
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
        };
    }

    private static void writeData(FileChannel out, Tensor t, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int size = t.dtype().bytes();
        // One chunked write loop for every dtype; only the view that encodes the values differs. The half
        // formats are written as their raw little-endian bit patterns, as PyTorch writes them.
        Object values = size == 8 ? t.toDoubleArray() : size == 4 ? t.toFloatArray() : t.toBits();
        int numel = t.numel();
        int per = CHUNK / size;
        for (int from = 0; from < numel; from += per) {
            buffer.clear();
            int n = Math.min(per, numel - from);
            if (values instanceof double[] d) {
                buffer.asDoubleBuffer().put(d, from, n);
            } else if (values instanceof float[] f) {
                buffer.asFloatBuffer().put(f, from, n);
            } else {
                buffer.asShortBuffer().put((short[]) values, from, n);
            }
            buffer.limit(n * size);
            digest.update(buffer.array(), 0, n * size);
            writeAll(out, buffer);
        }
    }

    private static void putData(ByteBuffer buffer, Tensor t) {
        if (t.dtype() == DType.FLOAT64) {
            for (double v : t.toDoubleArray()) {
                buffer.putDouble(v);
            }
        } else if (t.dtype().bytes() == 2) {
            for (short v : t.toBits()) {
                buffer.putShort(v);
            }
        } else {
            for (float v : t.toFloatArray()) {
                buffer.putFloat(v);
            }
        }
    }

    private static void writeAll(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Random-access bytes: a file or an array. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code dst} from {@code position}; an {@link EOFException} when the source ends first. */
        void readFully(long position, ByteBuffer dst) throws IOException;

        String name();

        /** The method the user called, which errors name. */
        String op();
    }

    private record ChannelSource(FileChannel channel, String name, String op) implements Source {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            long p = position;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, p);
                if (n < 0) {
                    throw new EOFException("the file ended at byte " + p + " (was it changed while being read?)");
                }
                p += n;
            }
        }
    }

    private record ArraySource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            if (position + dst.remaining() > bytes.length) {
                throw new EOFException("the bytes end at " + bytes.length);
            }
            dst.put(bytes, (int) position, dst.remaining());
        }

        @Override
        public String name() {
            return "bytes";
        }

        @Override
        public String op() {
            return "SafeTensors.fromBytes";
        }
    }

    private static IllegalArgumentException bad(Source source, String message) {
        return new IllegalArgumentException(source.op() + ": " + source.name() + ": " + message);
    }

    private static Header parseHeader(Source source) throws IOException {
        long size = source.size();
        if (size < 8) {
            throw bad(source, "the file is " + size + " bytes long, shorter than the 8-byte header length that starts"
                    + " a safetensors file (truncated or not a safetensors file)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        source.readFully(0, lengthBytes);
        long n = lengthBytes.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES || n > size - 8) {
            String value = Long.toUnsignedString(n);
            throw bad(source, "the header length field says " + value + " bytes, but "
                    + (n < 0 || n > MAX_HEADER_BYTES ? "the limit is " + MAX_HEADER_BYTES + " bytes"
                    : "only " + (size - 8) + " bytes follow it")
                    + " (the file is " + size + " bytes): the file is truncated, corrupted or not a safetensors file");
        }
        if (n < 2) {
            throw bad(source, "the header is " + n + " bytes long; it must hold at least a JSON object {}");
        }
        byte[] text = new byte[(int) n];
        source.readFully(8, ByteBuffer.wrap(text));
        checkUtf8(source, text);
        HeaderParser parser = new HeaderParser(text, source.op() + ": " + source.name());
        parser.parse();
        text = null;    // parsed: the collector may take it while the entries are validated
        long dataStart = 8 + n;
        long dataLength = size - dataStart;
        List<TensorInfo> infos = new ArrayList<>(parser.tensors.size());
        // Each parsed entry is dropped once validated, so the two forms of an entry rarely coexist.
        for (var it = parser.tensors.values().iterator(); it.hasNext(); ) {
            RawInfo raw = it.next();
            it.remove();
            infos.add(validate(source, raw, dataLength));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        String previous = null;
        for (TensorInfo info : infos) {
            if (info.begin != expected) {
                throw bad(source, "tensor '" + info.name + "' occupies bytes [" + info.begin + ", " + info.end + ") but "
                        + (previous == null ? "the data section starts at byte 0"
                        : "the previous tensor '" + previous + "' ends at byte " + expected)
                        + ": offsets must be contiguous and must not overlap (corrupted header)");
            }
            expected = info.end;
            previous = info.name;
        }
        if (expected != dataLength) {
            throw bad(source, "the tensors end at byte " + expected + " of the data section but it holds " + dataLength
                    + " bytes: " + (dataLength - expected) + " bytes after the last tensor belong to no tensor"
                    + " (corrupted file or wrong header)");
        }
        Map<String, TensorInfo> byOffset = new Sealed<>();
        for (TensorInfo info : infos) {
            byOffset.put(info.name, info);
        }
        String checksum = parser.metadata.get(CHECKSUM_KEY);
        if (checksum != null && !checksum.matches("[0-9a-fA-F]{64}")) {
            throw bad(source, "the metadata entry \"" + CHECKSUM_KEY + "\" should be the SHA-256 of the data as 64 hex"
                    + " digits but is " + quote(checksum.length() > 80 ? checksum.substring(0, 80) + "..." : checksum)
                    + " (corrupted header)");
        }
        return new Header(byOffset, parser.metadata, dataStart);
    }

    /**
     * Checks that the header is UTF-8 before parsing it, through a small buffer: decoding it whole would
     * hold a second, twice as large copy of a header that may be 100 MB.
     */
    private static void checkUtf8(Source source, byte[] text) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(text);
        CharBuffer out = CharBuffer.allocate(8192);
        try {
            while (true) {
                CoderResult result = decoder.decode(in, out.clear(), true);
                if (result.isError()) {
                    result.throwException();
                }
                if (result.isUnderflow()) {
                    decoder.flush(out.clear());
                    return;
                }
            }
        } catch (CharacterCodingException e) {
            throw bad(source, "the header is not valid UTF-8 (" + e.getMessage() + "): the file is corrupted");
        }
    }

    private static TensorInfo validate(Source source, RawInfo raw, long dataLength) {
        String where = "tensor '" + raw.name + "'";
        DType dtype = switch (raw.dtype) {
            case "F64" -> DType.FLOAT64;
            case "F32" -> DType.FLOAT32;
            case "F16" -> DType.FLOAT16;
            case "BF16" -> DType.BFLOAT16;
            default -> throw bad(source, where + " has dtype " + raw.dtype + ", which "
                    + (OTHER_DTYPES.contains(raw.dtype) ? "this engine does not support: it reads F64, F32, F16 and BF16"
                    + " (convert the tensors to a floating-point dtype before saving)"
                    : "is not a safetensors dtype (corrupted header)"));
        };
        long numel = 1;
        int[] shape = new int[raw.shape.length];
        for (int d = 0; d < shape.length; d++) {
            long extent = raw.shape[d];
            if (extent > Integer.MAX_VALUE) {
                throw bad(source, where + " has extent " + extent + " on axis " + d + ", beyond what a Java array holds");
            }
            shape[d] = (int) extent;
            // Both factors stay below 2^31 + 1, so the product cannot overflow before the cap.
            numel = Math.min(numel * extent, Integer.MAX_VALUE + 1L);
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw bad(source, where + " of shape " + Arrays.toString(raw.shape) + " has more elements than a Java array holds");
        }
        long bytes = numel * dtype.bytes();
        long begin = raw.begin;
        long end = raw.end;
        if (begin > end) {
            throw bad(source, where + " has data_offsets [" + begin + ", " + end + "]: the begin is after the end");
        }
        if (end - begin != bytes) {
            throw bad(source, where + " (" + raw.dtype + " " + Arrays.toString(raw.shape) + ") needs " + bytes
                    + " bytes but its data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " (corrupted header)");
        }
        if (end > dataLength) {
            throw bad(source, where + " ends at byte " + end + " of the data section but only " + dataLength
                    + " bytes follow the header: the file is truncated");
        }
        return new TensorInfo(raw.name, dtype, shape, begin, end);
    }

    /**
     * Reads every tensor and, when the header holds a checksum, verifies it. The header's tensors are in
     * data order, contiguous and covering the data section (parseHeader checked), so hashing each chunk as it
     * is read hashes the data section exactly, without a second pass over the file.
     */
    private static Map<String, Tensor> readData(Source source, Header header) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        String expected = header.metadata().get(CHECKSUM_KEY);
        MessageDigest digest = expected == null ? null : sha256();
        for (TensorInfo info : header.tensors().values()) {
            int numel = (int) ((info.end - info.begin) / info.dtype.bytes());
            long position = header.dataStart() + info.begin;
            int size = info.dtype.bytes();
            int per = CHUNK / size;
            // One chunked read loop for every dtype; only the view that decodes the bytes differs.
            Object values = switch (size) {
                case 8 -> new double[numel];
                case 4 -> new float[numel];
                default -> new short[numel];
            };
            for (int from = 0; from < numel; from += per) {
                int count = Math.min(per, numel - from);
                buffer.clear().limit(count * size);
                source.readFully(position + (long) from * size, buffer);
                buffer.flip();
                if (digest != null) {
                    digest.update(buffer.array(), 0, buffer.limit());
                }
                if (values instanceof double[] d) {
                    buffer.asDoubleBuffer().get(d, from, count);
                } else if (values instanceof float[] f) {
                    buffer.asFloatBuffer().get(f, from, count);
                } else {
                    buffer.asShortBuffer().get((short[]) values, from, count);
                }
            }
            out.put(info.name, values instanceof double[] d ? Tensor.of(d, info.shape)
                    : values instanceof float[] f ? Tensor.of(f, info.shape)
                    : Tensor.fromBits(info.dtype, (short[]) values, info.shape));
        }
        if (digest != null) {
            String actual = hex(digest.digest());
            if (!actual.equalsIgnoreCase(expected)) {
                throw bad(source, "the data does not match its checksum: the metadata entry \"" + CHECKSUM_KEY
                        + "\" is " + expected + " but the data's SHA-256 is " + actual + "; the data was changed after"
                        + " it was written (a flipped bit, a damaged copy): the file is corrupted");
            }
        }
        return out;
    }

    /**
     * A map only this class creates and, once a {@link Header} wraps it, nobody can change: the header keeps it
     * without a defensive copy.
     */
    private static final class Sealed<K, V> extends LinkedHashMap<K, V> {
        private static final long serialVersionUID = 1L;
    }

    /** A header entry as parsed, before validation against the file. */
    private record RawInfo(String name, String dtype, long[] shape, long begin, long end) {
    }

    /**
     * A strict parser of the header's JSON (RFC 8259), aware of its schema: an object whose values are
     * tensor entries {@code {"dtype": string, "shape": [uint...], "data_offsets": [uint, uint]}} or, under
     * {@code __metadata__}, an object of strings. Anything else (unknown fields, duplicate keys, numbers with
     * fractions or exponents where integers belong, trailing content other than whitespace) is an error with
     * its character position. Parsing is iterative over a schema of fixed depth, so hostile nesting cannot
     * overflow the stack, and arrays are capped, so memory stays proportional to the header.
     */
    private static final class HeaderParser {
        private static final long[] NO_INTEGERS = {};
        private byte[] b;
        private final int n;
        private final String source;
        private int pos;
        final Map<String, RawInfo> tensors = new LinkedHashMap<>();
        final Map<String, String> metadata = new LinkedHashMap<>();
        private boolean sawMetadata;

        /** Parses {@code b}, which must be valid UTF-8, in place: no decoded copy of the whole header. */
        HeaderParser(byte[] b, String source) {
            this.b = b;
            this.n = b.length;
            this.source = source;
        }

        void parse() {
            skipWhitespace();
            object("the header must be a JSON object starting with '{'", "in the header", (key, keyAt) -> {
                if (key.equals(METADATA_KEY)) {
                    if (sawMetadata) {
                        throw error(keyAt, "duplicate key " + quote(key));
                    }
                    sawMetadata = true;
                    metadataObject();
                } else {
                    if (tensors.containsKey(key)) {
                        throw error(keyAt, "duplicate tensor name " + quote(key));
                    }
                    tensors.put(key, tensorInfo(key));
                }
            });
            skipWhitespace();
            if (pos != n) {
                throw error(pos, "unexpected content after the header's JSON object");
            }
            b = null;   // the header may be 100 MB; what was parsed from it no longer needs it
        }

        /** Parses the value of one object member; the parser stands at the value. */
        private interface Member {
            void parse(String key, int keyAt);
        }

        /**
         * A JSON object: each member's key (and where it starts) goes to {@code member}, which parses the
         * value. {@code notAnObject} is the message when no '{' opens it; {@code where} places the other
         * messages ("in the header", "in the entry of tensor \"w\"").
         */
        private void object(String notAnObject, String where, Member member) {
            expect('{', notAnObject);
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return;
            }
            while (true) {
                skipWhitespace();
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                expect(':', "expected ':' after the key " + quote(key) + " " + where);
                skipWhitespace();
                member.parse(key, keyAt);
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect('}', "expected ',' or '}' after the entry " + quote(key) + " " + where);
                return;
            }
        }

        private void metadataObject() {
            object("__metadata__ must be an object of strings", "in __metadata__", (key, keyAt) -> {
                if (peek() != '"') {
                    throw error(pos, "the value of metadata key " + quote(key) + " must be a string");
                }
                String value = string();
                if (metadata.put(key, value) != null) {
                    throw error(keyAt, "duplicate metadata key " + quote(key));
                }
            });
        }

        private RawInfo tensorInfo(String name) {
            String[] dtype = {null};
            long[][] shape = {null};
            long[][] offsets = {null};
            object("the entry of tensor " + quote(name) + " must be an object", "in the entry of tensor " + quote(name),
                    (field, keyAt) -> {
                        switch (field) {
                            case "dtype" -> {
                                if (dtype[0] != null) {
                                    throw error(keyAt, "duplicate field \"dtype\" in tensor " + quote(name));
                                }
                                if (peek() != '"') {
                                    throw error(pos, "the dtype of tensor " + quote(name) + " must be a string");
                                }
                                dtype[0] = canonical(string());
                            }
                            case "shape" -> {
                                if (shape[0] != null) {
                                    throw error(keyAt, "duplicate field \"shape\" in tensor " + quote(name));
                                }
                                shape[0] = integers(MAX_RANK, "the shape of tensor " + quote(name));
                            }
                            case "data_offsets" -> {
                                if (offsets[0] != null) {
                                    throw error(keyAt, "duplicate field \"data_offsets\" in tensor " + quote(name));
                                }
                                offsets[0] = integers(2, "the data_offsets of tensor " + quote(name));
                                if (offsets[0].length != 2) {
                                    throw error(keyAt, "the data_offsets of tensor " + quote(name)
                                            + " must be two integers [begin, end], got " + offsets[0].length);
                                }
                            }
                            default -> throw error(keyAt, "unknown field " + quote(field) + " in tensor " + quote(name)
                                    + "; a tensor entry has exactly dtype, shape and data_offsets");
                        }
                    });
            List<String> missing = new ArrayList<>();
            if (dtype[0] == null) {
                missing.add("dtype");
            }
            if (shape[0] == null) {
                missing.add("shape");
            }
            if (offsets[0] == null) {
                missing.add("data_offsets");
            }
            if (!missing.isEmpty()) {
                throw error(pos, "tensor " + quote(name) + " lacks " + String.join(", ", missing));
            }
            return new RawInfo(name, dtype[0], shape[0], offsets[0][0], offsets[0][1]);
        }

        /** An array of at most {@code max} non-negative integers. */
        private long[] integers(int max, String what) {
            expect('[', what + " must be an array of non-negative integers");
            long[] values = new long[Math.min(max, 8)];
            int count = 0;
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return NO_INTEGERS;
            }
            while (true) {
                skipWhitespace();
                if (count == max) {
                    throw error(pos, what + " has more than " + max + " entries");
                }
                if (count == values.length) {
                    values = Arrays.copyOf(values, Math.min(max, values.length * 2));
                }
                values[count++] = integer(what);
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect(']', "expected ',' or ']' in " + what);
                return Arrays.copyOf(values, count);
            }
        }

        /** The shared instance of a known dtype name: a header of a million tensors then holds two strings, not a million. */
        private static String canonical(String dtype) {
            return dtype.equals("F64") ? "F64" : dtype.equals("F32") ? "F32" : dtype.equals("F16") ? "F16"
                    : dtype.equals("BF16") ? "BF16"
                    : OTHER_DTYPES.contains(dtype) ? dtype.intern() : dtype;
        }

        private long integer(String what) {
            int start = pos;
            if (peek() == '-') {
                throw error(pos, what + " holds a negative number");
            }
            if (peek() < '0' || peek() > '9') {
                throw error(pos, what + " must hold integers");
            }
            if (peek() == '0' && pos + 1 < n && isDigit(b[pos + 1])) {
                throw error(pos, "a JSON number cannot have leading zeros");
            }
            long value = 0;
            while (pos < n && isDigit(b[pos])) {
                int digit = b[pos] - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    throw error(start, what + " holds a number too large for 64 bits");
                }
                value = value * 10 + digit;
                pos++;
            }
            if (pos < n && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
                throw error(start, what + " must hold integers, not numbers with a fraction or exponent");
            }
            return value;
        }

        private static boolean isDigit(byte c) {
            return c >= '0' && c <= '9';
        }

        /**
         * A JSON string decoded straight from the UTF-8 bytes (already validated as a whole). A first pass
         * checks it, reporting errors in the order a left-to-right reader meets them; a string without escapes,
         * the usual case, then costs exactly one copy, the resulting String, and one with escapes is decoded
         * into a byte array no longer than its source, so even a string filling the whole header stays within
         * a small multiple of its size.
         */
        private String string() {
            expect('"', "expected a string");
            int start = pos;
            boolean escaped = false;
            while (true) {
                if (pos >= n) {
                    throw error(pos, "unterminated string");
                }
                int c = b[pos++] & 0xFF;
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw error(pos - 1, "unescaped control character U+" + String.format("%04X", c) + " in a string");
                }
                if (c != '\\') {
                    continue;
                }
                escaped = true;
                if (pos >= n) {
                    throw error(pos, "unterminated escape");
                }
                int e = b[pos++] & 0xFF;
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        char u = hex4(pos);
                        pos += 4;
                        if (Character.isHighSurrogate(u)) {
                            if (pos + 1 < n && b[pos] == '\\' && b[pos + 1] == 'u') {
                                pos += 2;
                                char low = hex4(pos);
                                pos += 4;
                                if (!Character.isLowSurrogate(low)) {
                                    throw error(pos - 6, "a high surrogate escape must be followed by a low surrogate");
                                }
                            } else {
                                throw error(pos, "unpaired high surrogate escape");
                            }
                        } else if (Character.isLowSurrogate(u)) {
                            throw error(pos - 6, "unpaired low surrogate escape");
                        }
                    }
                    default -> throw error(pos - 1, "invalid escape '\\" + (char) e + "'");
                }
            }
            int end = pos - 1;
            if (!escaped) {
                return new String(b, start, end - start, StandardCharsets.UTF_8);
            }
            return unescape(start, end);
        }

        /** Decodes the string body {@code [from, to)}, which {@link #string} has checked. */
        private String unescape(int from, int to) {
            byte[] out = new byte[to - from];
            int length = 0;
            int at = from;
            while (at < to) {
                byte c = b[at++];
                if (c != '\\') {
                    out[length++] = c;
                    continue;
                }
                byte e = b[at++];
                switch (e) {
                    case 'b' -> out[length++] = '\b';
                    case 'f' -> out[length++] = '\f';
                    case 'n' -> out[length++] = '\n';
                    case 'r' -> out[length++] = '\r';
                    case 't' -> out[length++] = '\t';
                    case 'u' -> {
                        char u = hex4(at);
                        at += 4;
                        int codePoint = u;
                        if (Character.isHighSurrogate(u)) {
                            codePoint = Character.toCodePoint(u, hex4(at + 2));
                            at += 6;
                        }
                        // Six escape bytes (twelve for a pair) always have room for the 3 (4) UTF-8 bytes.
                        length = putUtf8(out, length, codePoint);
                    }
                    default -> out[length++] = e;     // '"', '\\' and '/' stand for themselves
                }
            }
            return new String(out, 0, length, StandardCharsets.UTF_8);
        }

        private static int putUtf8(byte[] out, int at, int codePoint) {
            if (codePoint < 0x80) {
                out[at++] = (byte) codePoint;
            } else if (codePoint < 0x800) {
                out[at++] = (byte) (0xC0 | codePoint >> 6);
                out[at++] = (byte) (0x80 | codePoint & 0x3F);
            } else if (codePoint < 0x10000) {
                out[at++] = (byte) (0xE0 | codePoint >> 12);
                out[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint & 0x3F);
            } else {
                out[at++] = (byte) (0xF0 | codePoint >> 18);
                out[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint & 0x3F);
            }
            return at;
        }

        /** The four hex digits at {@code at}; JSON allows ASCII hex digits only. */
        private char hex4(int at) {
            if (at + 4 > n) {
                throw error(at, "truncated \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = b[at + i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0) {
                    throw error(at + i, "invalid hex digit in a \\u escape");
                }
                v = v * 16 + d;
            }
            return (char) v;
        }

        private void skipWhitespace() {
            while (pos < n) {
                byte c = b[pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        private int peek() {
            return pos < n ? b[pos] & 0xFF : -1;
        }

        private void expect(char c, String message) {
            if (peek() != c) {
                throw error(pos, message);
            }
            pos++;
        }

        /**
         * An error at byte {@code at}, reported as the character position in the decoded header (as a text
         * editor counts, UTF-16 units), with the 20 characters found there; both are computed only here, on
         * the error path.
         */
        private IllegalArgumentException error(int at, String message) {
            int character = 0;
            for (int i = 0; i < at; i++) {
                if ((b[i] & 0xC0) != 0x80) {
                    character += (b[i] & 0xF8) == 0xF0 ? 2 : 1;
                }
            }
            String found;
            if (at >= n) {
                found = "the end of the header";
            } else {
                String after = new String(b, at, Math.min(n - at, 80), StandardCharsets.UTF_8);
                found = "'" + after.substring(0, Math.min(after.length(), 20)).replaceAll("\\p{Cntrl}", "?") + "'";
            }
            return new IllegalArgumentException(source + ": invalid JSON header at character " + character
                    + ": " + message + " (found " + found + ")");
        }
    }
}
