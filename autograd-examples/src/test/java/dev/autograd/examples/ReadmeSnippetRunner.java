package dev.autograd.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Runs README snippets in a JVM of their own, started by {@link ReadmeSnippetsTest} in a working directory
 * under {@code target/}, so that a snippet that writes {@code Path.of("graph.dot")} writes there.
 *
 * <p>Arguments: the results file, then the classes to run; each has a {@code public static void run()}. For
 * each class the results (a properties file) hold {@code NAME} = {@code OK} or {@code THROWN}, what it printed
 * ({@code NAME.out}), and for a throw the exception's class ({@code NAME.exception}), message
 * ({@code NAME.message}), stack trace ({@code NAME.trace}) and the line of the snippet class it came from
 * ({@code NAME.line}, 0 when none).
 */
public final class ReadmeSnippetRunner {

    private ReadmeSnippetRunner() {
    }

    public static void main(String[] args) throws IOException {
        Properties results = new Properties();
        PrintStream realOut = System.out;
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                Class.forName(name).getMethod("run").invoke(null);
                results.setProperty(name, "OK");
            } catch (InvocationTargetException e) {
                thrown(results, name, e.getCause());
            } catch (ReflectiveOperationException | LinkageError e) {
                thrown(results, name, e);
            } finally {
                System.out.flush();
                System.setOut(realOut);
            }
            results.setProperty(name + ".out", printed.toString(StandardCharsets.UTF_8));
            realOut.println(name + ": " + results.getProperty(name));
        }
        try (Writer writer = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8)) {
            results.store(writer, "README snippets");
        }
    }

    private static void thrown(Properties results, String name, Throwable t) {
        results.setProperty(name, "THROWN");
        results.setProperty(name + ".exception", t.getClass().getName());
        results.setProperty(name + ".message", String.valueOf(t.getMessage()));
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        results.setProperty(name + ".trace", trace.toString());
        int line = 0;
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals(name) || frame.getClassName().startsWith(name + "$")) {
                line = frame.getLineNumber();
                break;
            }
        }
        results.setProperty(name + ".line", Integer.toString(line));
    }
}
