package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the README's Java honest: every {@code ```java} block of the root {@code README.md} is checked, one
 * dynamic test per block, in one of two ways.
 *
 * <ul>
 *   <li><b>Run.</b> A block without a marker is compiled (in-process, with {@code javax.tools}, against this
 *       module's test class path) as the body of {@code public static void run()}, preceded by the
 *       {@code import} lines the block shows or, when it shows none, by {@link #DEFAULT_IMPORTS}. All run
 *       blocks then run in one child JVM ({@link ReadmeSnippetRunner}) whose working directory is
 *       {@code target/readme-snippets/work}, so any file a snippet writes lands there. A block preceded by
 *       {@code <!-- snippet: throws IllegalStateException: message prefix -->} must throw that exception with
 *       a message that starts with the prefix. Errors name the README line.</li>
 *   <li><b>Tied.</b> A block preceded by {@code <!-- snippet: path/from/repo/root/File.java#name -->} must
 *       equal, up to common indentation and trailing blanks, the lines between {@code // region name} and
 *       {@code // endregion} in that file, which compiles and runs in the build (its own test, or
 *       {@link #TIED_PROGRAMS} run here with the snippets).</li>
 * </ul>
 *
 * The markers are HTML comments on the line before the block: GitHub does not show them. A {@code ```java} block
 * that is neither run nor tied fails, unless it is one of the {@link #EXEMPT} blocks.
 */
class ReadmeSnippetsTest {

    /** The imports of a run block that shows none of its own. */
    static final List<String> DEFAULT_IMPORTS = List.of("dev.autograd.*", "java.util.*", "java.util.function.*",
            "java.nio.file.*");

    /** Sources holding a tied region whose {@code public static void run()} is run here, with the snippets. */
    static final List<Class<?>> TIED_PROGRAMS = List.of(ReadmeSeeingGradients.class);

    /**
     * Blocks checked by neither way, each with its reason. Keep it short: a stale entry (no such block) fails.
     */
    static final List<Exemption> EXEMPT = List.of();

    private static final Pattern MARKER = Pattern.compile("^<!--\\s*snippet:\\s*(.*?)\\s*-->\\s*$");
    /**
     * {@code <!-- file: path -->}: the block is that whole file of the repository (the user project of the
     * testing section, which autograd-testing's invoker build runs; its ReadmeUserProjectTest checks the
     * non-Java blocks).
     */
    private static final Pattern FILE_MARKER = Pattern.compile("^<!--\\s*file:\\s*(\\S+)\\s*-->\\s*$");
    private static final Pattern THROWS = Pattern.compile("^throws\\s+([\\w.$]+)(?::\\s*(.*))?$");
    private static final Pattern TIE = Pattern.compile("^([\\w./-]+\\.java)#([\\w-]+)$");
    private static final Pattern FENCE = Pattern.compile("^```\\s*([\\w+-]*)\\s*$");

    private static final Path WORK = Path.of("target", "readme-snippets").toAbsolutePath();

    /** A README block exempt from both checks, found by its section and first line. */
    record Exemption(String section, String firstLine, String reason) {
    }

    /**
     * A fenced block of the README.
     *
     * @param line    the README line of its opening fence (1-based); its code starts on the next line
     * @param lang    the fence's language
     * @param code    its lines
     * @param marker  the text of the snippet marker before it, or null
     * @param section the heading it is under
     */
    record Block(int line, String lang, List<String> code, String marker, String section) {

        String where() {
            return "README.md:" + line;
        }

        String className() {
            return "ReadmeSnippetL" + line;
        }

        String firstLine() {
            return code.stream().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("");
        }
    }

    @TestFactory
    List<DynamicTest> everyJavaBlockIsRunOrTiedToASource() throws Exception {
        Path root = repositoryRoot();
        List<Block> blocks = parse(Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8));
        List<DynamicTest> tests = new ArrayList<>();
        List<Block> run = new ArrayList<>();
        for (Block block : blocks) {
            if (!block.lang().equals("java")) {
                if (block.marker() != null && !block.marker().startsWith("file:")) {
                    tests.add(DynamicTest.dynamicTest(block.where() + " marker", () -> fail(block.where()
                            + ": a snippet marker before a ```" + block.lang() + " block; only ```java blocks are checked")));
                }
                continue;
            }
            Matcher tie = block.marker() == null ? null : TIE.matcher(block.marker());
            if (block.marker() != null && block.marker().startsWith("file:")) {
                Path file = root.resolve(block.marker().substring("file:".length()));
                tests.add(DynamicTest.dynamicTest(block.where() + " is " + file, () -> {
                    assertTrue(Files.isRegularFile(file), () -> block.where() + ": no file " + file);
                    assertEquals(dedent(Files.readAllLines(file, StandardCharsets.UTF_8)), dedent(block.code()),
                            () -> block.where() + " differs from " + file);
                }));
            } else if (tie != null && tie.matches()) {
                tests.add(DynamicTest.dynamicTest(block.where() + " equals " + block.marker(),
                        () -> assertTied(block, root.resolve(tie.group(1)), tie.group(2))));
            } else if (exemption(block) != null) {
                tests.add(DynamicTest.dynamicTest(block.where() + " exempt", () -> {
                }));
            } else if (block.marker() == null || THROWS.matcher(block.marker()).matches()) {
                run.add(block);
            } else {
                tests.add(DynamicTest.dynamicTest(block.where() + " marker", () -> fail(block.where()
                        + ": unknown snippet marker '" + block.marker() + "'; use 'path/File.java#region' or"
                        + " 'throws ExceptionName: message prefix'")));
            }
        }
        Map<String, String> compileErrors = compile(run);
        Properties results = runInChildJvm(run, compileErrors);
        for (Block block : run) {
            tests.add(DynamicTest.dynamicTest(block.where() + " runs", () -> assertRan(block, compileErrors, results)));
        }
        for (Class<?> program : TIED_PROGRAMS) {
            tests.add(DynamicTest.dynamicTest(program.getSimpleName() + " runs", () -> {
                String name = program.getName();
                assertEquals("OK", results.getProperty(name), () -> name + " threw:\n" + results.getProperty(name + ".trace")
                        + "\nit printed:\n" + results.getProperty(name + ".out"));
            }));
        }
        return tests;
    }

    @Test
    void everyExemptionNamesExactlyOneBlock() throws IOException {
        List<Block> blocks = parse(Files.readAllLines(repositoryRoot().resolve("README.md"), StandardCharsets.UTF_8));
        for (Exemption e : EXEMPT) {
            long matches = blocks.stream().filter(b -> b.lang().equals("java") && e.equals(exemption(b))).count();
            assertEquals(1, matches, () -> "exemption of '" + e.firstLine() + "' under '" + e.section() + "' matches "
                    + matches + " ```java blocks: remove or fix the entry");
        }
    }

    @Test
    void theParserSeesMarkersFencesAndSections() {
        List<Block> blocks = parse(List.of("# Title", "## Part", "<!-- snippet: a/B.java#r -->", "```java", "int a;",
                "```", "", "```sh", "ls", "```", "### Sub", "```java", "  x();", "```"));
        assertEquals(3, blocks.size());
        assertEquals(new Block(4, "java", List.of("int a;"), "a/B.java#r", "Part"), blocks.get(0));
        assertEquals("sh", blocks.get(1).lang());
        assertEquals(new Block(12, "java", List.of("  x();"), null, "Sub"), blocks.get(2));
        assertEquals(List.of("a", "  b", "", "c"), dedent(List.of("    a  ", "      b", "", "    c")));
    }

    // ---------------------------------------------------------------------------------------------------------

    static List<Block> parse(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (line.startsWith("#")) {
                section = line.replaceFirst("^#+\\s*", "").strip();
            } else if (fence.matches()) {
                String marker = null;
                int before = i - 1;
                while (before >= 0 && lines.get(before).isBlank()) {
                    before--;
                }
                if (before >= 0) {
                    Matcher m = MARKER.matcher(lines.get(before).strip());
                    Matcher file = FILE_MARKER.matcher(lines.get(before).strip());
                    marker = m.matches() ? m.group(1) : file.matches() ? "file:" + file.group(1) : null;
                }
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                if (end == lines.size()) {
                    throw new AssertionError("README.md:" + (i + 1) + ": a ``` block that is never closed");
                }
                blocks.add(new Block(i + 1, fence.group(1), List.copyOf(lines.subList(i + 1, end)), marker, section));
                i = end;
            }
        }
        return blocks;
    }

    private static Exemption exemption(Block block) {
        return EXEMPT.stream().filter(e -> e.section().equals(block.section()) && e.firstLine().equals(block.firstLine()))
                .findFirst().orElse(null);
    }

    /** Strips trailing blanks and the indentation all non-blank lines share. */
    static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(s -> !s.isBlank()).mapToInt(s -> s.length() - s.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(String::stripTrailing).map(s -> s.isEmpty() ? s : s.substring(indent)).toList();
    }

    private static void assertTied(Block block, Path source, String region) throws IOException {
        assertTrue(Files.isRegularFile(source), () -> block.where() + ": the marker names " + source + ", which does not exist");
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        Pattern open = Pattern.compile("^\\s*// region " + Pattern.quote(region) + "(\\s.*)?$");
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (open.matcher(lines.get(i)).matches()) {
                assertEquals(-1, start, () -> source + " has two regions named '" + region + "'");
                start = i;
            }
        }
        int first = start;
        assertTrue(first >= 0, () -> block.where() + ": " + source + " has no '// region " + region + "' line");
        int end = first + 1;
        while (end < lines.size() && !lines.get(end).strip().equals("// endregion")) {
            end++;
        }
        assertTrue(end < lines.size(), () -> source + ": region '" + region + "' has no '// endregion'");
        List<String> expected = dedent(lines.subList(first + 1, end));
        List<String> shown = dedent(block.code());
        for (int i = 0; i < Math.max(expected.size(), shown.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(end of region)";
            String got = i < shown.size() ? shown.get(i) : "(end of block)";
            if (!want.equals(got)) {
                fail(String.format(Locale.ROOT, "README.md:%d differs from %s:%d (region '%s'); copy the region into"
                        + " the README block.%n  README: %s%n  source: %s", block.line() + 1 + i, source.getFileName(),
                        first + 2 + i, region, got, want));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A generated class and, per line, the README line it came from (0 for generated lines). */
    private record Wrapper(Block block, String source, int[] readmeLines) {
        int readmeLine(long javaLine) {
            return javaLine >= 1 && javaLine <= readmeLines.length ? readmeLines[(int) javaLine - 1] : 0;
        }
    }

    private static Wrapper wrap(Block block) {
        List<String> imports = new ArrayList<>();
        List<Integer> importLines = new ArrayList<>();
        List<String> body = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        for (int i = 0; i < block.code().size(); i++) {
            String line = block.code().get(i);
            boolean isImport = line.startsWith("import ");
            (isImport ? imports : body).add(line);
            (isImport ? importLines : bodyLines).add(block.line() + 1 + i);
        }
        if (imports.isEmpty()) {
            for (String name : DEFAULT_IMPORTS) {
                imports.add("import " + name + ";");
                importLines.add(0);
            }
        }
        List<String> out = new ArrayList<>(imports);
        List<Integer> map = new ArrayList<>(importLines);
        out.add("/** " + block.where() + " */");
        out.add("public final class " + block.className() + " {");
        out.add("public static void run() throws Throwable {");
        for (int i = 0; i < 3; i++) {
            map.add(0);
        }
        out.addAll(body);
        map.addAll(bodyLines);
        out.add("}");
        out.add("}");
        map.add(0);
        map.add(0);
        return new Wrapper(block, String.join("\n", out) + "\n", map.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Compiles the run blocks into {@code target/readme-snippets/classes}; returns the errors per class. */
    private static Map<String, String> compile(List<Block> blocks) throws IOException {
        deleteTree(WORK);
        Path classes = WORK.resolve("classes");
        Files.createDirectories(classes);
        Map<String, Wrapper> wrappers = new LinkedHashMap<>();
        for (Block block : blocks) {
            Wrapper wrapper = wrap(block);
            wrappers.put(block.className(), wrapper);
            Files.writeString(WORK.resolve(block.className() + ".java"), wrapper.source(), StandardCharsets.UTF_8);
        }
        Map<String, String> errors = new LinkedHashMap<>();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "the tests run on a JDK with javax.tools (a JRE has no compiler)");
        // javac writes no class at all when one unit fails; compile again without the failing ones.
        List<Wrapper> pending = new ArrayList<>(wrappers.values());
        while (!pending.isEmpty()) {
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            List<JavaFileObject> units = new ArrayList<>();
            Map<JavaFileObject, Wrapper> byUnit = new LinkedHashMap<>();
            for (Wrapper w : pending) {
                JavaFileObject unit = new SimpleJavaFileObject(
                        WORK.resolve(w.block().className() + ".java").toUri(), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return w.source();
                    }
                };
                units.add(unit);
                byUnit.put(unit, w);
            }
            StringWriter other = new StringWriter();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                List<String> options = List.of("-classpath", classPath(), "-d", classes.toString(), "-proc:none",
                        "-encoding", "UTF-8", "-nowarn");
                boolean ok = javac.getTask(other, files, diagnostics, options, null, units).call();
                if (ok) {
                    break;
                }
            }
            List<Wrapper> failed = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                Wrapper w = byUnit.get(d.getSource());
                if (w == null) {
                    fail("javac failed outside the README snippets: " + d.getMessage(Locale.ROOT) + "\n" + other);
                }
                int readmeLine = w.readmeLine(d.getLineNumber());
                String at = readmeLine > 0 ? "README.md:" + readmeLine
                        : w.block().where() + " (generated line " + d.getLineNumber() + " of " + w.block().className() + ")";
                errors.merge(w.block().className(), at + ": error: " + d.getMessage(Locale.ROOT), (a, b) -> a + "\n" + b);
                if (!failed.contains(w)) {
                    failed.add(w);
                }
            }
            if (failed.isEmpty()) {
                fail("javac failed without an error diagnostic:\n" + other);
            }
            pending.removeAll(failed);
        }
        return errors;
    }

    /** Runs the compiled blocks and {@link #TIED_PROGRAMS} in one JVM in {@code target/readme-snippets/work}. */
    private static Properties runInChildJvm(List<Block> blocks, Map<String, String> compileErrors)
            throws IOException, InterruptedException {
        Path work = WORK.resolve("work");
        Files.createDirectories(work);
        Path resultsFile = WORK.resolve("results.properties");
        Path output = WORK.resolve("runner-output.txt");
        Files.deleteIfExists(resultsFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same kernels as the tests: the JVM options that choose them (--add-modules, -Dautograd.*).
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-modules") || arg.startsWith("-Dautograd.")) {
                command.add(arg);
            }
        }
        command.add("-Djava.awt.headless=true");
        command.add("-classpath");
        command.add(WORK.resolve("classes") + File.pathSeparator + classPath());
        command.add(ReadmeSnippetRunner.class.getName());
        command.add(resultsFile.toString());
        for (Block block : blocks) {
            if (!compileErrors.containsKey(block.className())) {
                command.add(block.className());
            }
        }
        for (Class<?> program : TIED_PROGRAMS) {
            command.add(program.getName());
        }
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the README snippets did not finish in 120 s; see " + output);
        }
        assertEquals(0, process.exitValue(), () -> "the snippet runner failed: " + read(output));
        Properties results = new Properties();
        try (Reader reader = Files.newBufferedReader(resultsFile, StandardCharsets.UTF_8)) {
            results.load(reader);
        }
        return results;
    }

    private static void assertRan(Block block, Map<String, String> compileErrors, Properties results) {
        String name = block.className();
        if (compileErrors.containsKey(name)) {
            fail(block.where() + ": the block does not compile (as the body of a method"
                    + (block.code().stream().anyMatch(l -> l.startsWith("import ")) ? ""
                    : ", with imports " + String.join(", ", DEFAULT_IMPORTS)) + "):\n" + compileErrors.get(name)
                    + "\nA block that cannot run on its own must be tied to a source region: see ReadmeSnippetsTest.");
        }
        String outcome = results.getProperty(name);
        assertTrue(outcome != null, () -> block.where() + ": the runner reported nothing");
        Matcher expect = block.marker() == null ? null : THROWS.matcher(block.marker());
        String thrownAt = "README.md:" + readmeLineOfThrow(block, results);
        if (expect != null && expect.matches()) {
            String exception = expect.group(1);
            String prefix = expect.group(2) == null ? "" : expect.group(2);
            assertEquals("THROWN", outcome, () -> block.where() + ": expected " + exception + " ('" + prefix
                    + "...'), but the block completed");
            String actual = results.getProperty(name + ".exception");
            String message = results.getProperty(name + ".message");
            assertTrue(actual.equals(exception) || actual.endsWith("." + exception), () -> block.where() + ": expected "
                    + exception + ", got " + results.getProperty(name + ".trace"));
            assertTrue(message.startsWith(prefix), () -> block.where() + ": the message of " + exception + " at "
                    + thrownAt + " no longer starts as the marker says.\n  marker: " + prefix + "\n  actual: " + message);
        } else if (!"OK".equals(outcome)) {
            fail(block.where() + ": the block threw at " + thrownAt + ": " + results.getProperty(name + ".trace")
                    + "\nit printed:\n" + results.getProperty(name + ".out"));
        }
    }

    private static String readmeLineOfThrow(Block block, Properties results) {
        int javaLine = Integer.parseInt(results.getProperty(block.className() + ".line", "0"));
        int line = wrap(block).readmeLine(javaLine);
        return line > 0 ? Integer.toString(line) : block.line() + "ff";
    }

    /** The test class path: surefire passes it in a property when the JVM's own class path is a manifest jar. */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The folder of README.md: the working directory (a module of the build, or the root) or its parent. */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new AssertionError("no README.md beside mvnw in " + here + " or above");
    }

    /** Deletes the files of the last run, so that nothing of a block removed from the README lingers. */
    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
