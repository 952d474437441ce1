package dev.autograd.examples;

import dev.autograd.GraphExport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the examples put their files, and how they write graph pictures. */
final class ExampleFiles {

    private ExampleFiles() {
    }

    /** Creates {@code dir} (and its parents) and returns it as an absolute path. */
    static Path prepare(Path dir) {
        try {
            return Files.createDirectories(dir.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + dir.toAbsolutePath(), e);
        }
    }

    /** Writes text to a file as UTF-8. */
    static Path writeText(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Writes {@code <dir>/<name>.dot} and, when Graphviz's {@code dot} is installed, renders it to
     * {@code <name>.svg} and {@code <name>.png} beside it; otherwise prints what to install. Every file written
     * is printed.
     *
     * @return the files written, the DOT file first
     */
    static List<Path> writeGraph(String dot, Path dir, String name, PrintStream out) {
        List<Path> files = new ArrayList<>();
        Path dotFile = writeText(dir.resolve(name + ".dot"), dot);
        files.add(dotFile);
        out.println("wrote " + dotFile);
        if (GraphExport.isDotAvailable()) {
            for (String ext : List.of("svg", "png")) {
                Path picture = GraphExport.render(dot, dir.resolve(name + "." + ext));
                files.add(picture);
                out.println("wrote " + picture);
            }
        } else {
            out.println("no SVG/PNG of " + name + ": Graphviz's 'dot' program is not installed. Install the"
                    + " 'graphviz' package (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install"
                    + " graphviz), or paste " + dotFile.getFileName() + " into any Graphviz viewer.");
        }
        return files;
    }
}
