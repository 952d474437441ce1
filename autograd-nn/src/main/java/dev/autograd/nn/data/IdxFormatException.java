package dev.autograd.nn.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An IDX file that cannot be read as one: not IDX, a type this reader does not read, dimensions whose data
 * no Java array can hold, a size that does not match the file's length (truncated, or extra bytes), a
 * damaged gzip stream, or contents that do not fit what the caller expects (e.g. a label file where images
 * were wanted). The message names the file and says what is wrong.
 */
public final class IdxFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The file, or {@code null} when the problem concerns several files' agreement. */
    private final transient Path file;

    /**
     * A problem with {@code file}.
     *
     * @param file    the file read
     * @param message what is wrong, without the file name (it is prepended)
     */
    public IdxFormatException(Path file, String message) {
        this(file, message, null);
    }

    /**
     * A problem with {@code file}, found through {@code cause}.
     *
     * @param file    the file read
     * @param message what is wrong, without the file name (it is prepended)
     * @param cause   the exception that revealed it, or {@code null}
     */
    public IdxFormatException(Path file, String message, Throwable cause) {
        super("IDX file " + Objects.requireNonNull(file, "IdxFormatException: file") + ": " + message, cause);
        this.file = file;
    }

    /** @return the file that could not be read */
    public Path file() {
        return file;
    }
}
