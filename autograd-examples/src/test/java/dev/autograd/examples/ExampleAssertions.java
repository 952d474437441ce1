package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Checks shared by the examples' tests: pictures that are real pictures, and captured output. */
final class ExampleAssertions {

    /** Where the examples' tests write, under the module's target folder. */
    static final Path OUT = Path.of("target", "examples-test");

    private ExampleAssertions() {
    }

    /**
     * Asserts that {@code file} is a PNG that ImageIO reads, of at least 400 x 300 pixels, more than 5 KB, and
     * not blank: at least {@code minColours} distinct colours on a sample grid.
     */
    static BufferedImage assertPicture(Path file, int minColours) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was written");
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 5_000, file + " has only " + bytes.length + " bytes");
        assertEquals((byte) 0x89, bytes[0], "PNG signature");
        assertEquals("PNG", new String(bytes, 1, 3, StandardCharsets.US_ASCII), "PNG signature");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO reads " + file);
        assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300,
                file + " is " + image.getWidth() + "x" + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() >= minColours, file + " has only " + colours.size() + " colours");
        return image;
    }

    /**
     * Asserts that the README's table of example files (in "Seeing gradients") lists every file an example wrote,
     * as {@code out/<folder>/<name>}, or with the base name and the extension apart ({@code neuron.dot} (`.svg`)),
     * or by name in a row of that folder ({@code out/benchmarks/ratios.png} (and `benchmarks.csv`)).
     *
     * @param folder the example's folder under {@code out/}
     * @param files  the files it wrote
     */
    static void assertListedInReadme(String folder, Collection<Path> files) {
        List<String> rows;
        try {
            rows = Files.readAllLines(ReadmeSnippetsTest.repositoryRoot().resolve("README.md"), StandardCharsets.UTF_8)
                    .stream().filter(line -> line.startsWith("|") && line.contains("`out/" + folder + "/")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String base = dot < 0 ? name : name.substring(0, dot);
            String ext = dot < 0 ? "" : name.substring(dot);
            boolean listed = rows.stream().anyMatch(row -> row.contains("out/" + folder + "/" + name + "`")
                    || (row.contains("`out/" + folder + "/" + base + ".") && row.contains("`" + ext + "`"))
                    || row.contains("`" + name + "`"));
            assertTrue(listed, () -> "README.md: the table of files in 'Seeing gradients' does not list out/" + folder + "/"
                    + name + ", which the example writes");
        }
    }

    /** Runs {@code body} with a print stream and returns what it printed. */
    static String capture(Consumer<PrintStream> body) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
