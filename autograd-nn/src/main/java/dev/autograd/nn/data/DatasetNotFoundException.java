package dev.autograd.nn.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The files of a data set are not where they were looked for. The message names the folder and the missing
 * files and says how to get them; a program can print it and exit.
 */
public final class DatasetNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    /** The names of the files the folder lacks (serialized with the exception: it is a list of strings). */
    private final List<String> missingFiles;

    /**
     * A data set missing from {@code directory}.
     *
     * @param message      the whole message, saying how to get the files
     * @param directory    the folder searched
     * @param missingFiles the names of the files not found there
     */
    public DatasetNotFoundException(String message, Path directory, List<String> missingFiles) {
        super(message);
        this.directory = Objects.requireNonNull(directory, "DatasetNotFoundException: directory");
        this.missingFiles = List.copyOf(missingFiles);
    }

    /** @return the folder that was searched */
    public Path directory() {
        return directory;
    }

    /** @return the names of the files that were not found */
    public List<String> missingFiles() {
        return missingFiles;
    }
}
