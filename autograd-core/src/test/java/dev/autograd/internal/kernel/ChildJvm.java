package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the tests in a fresh JVM (the same java and class path), as a user's program starts. */
public final class ChildJvm {

    /**
     * What the child printed.
     *
     * @param stdout its standard output
     * @param stderr its standard error (the engine's log, with the test's SLF4J backend)
     */
    public record Output(String stdout, String stderr) {
    }

    private ChildJvm() {
    }

    /**
     * Starts {@code mainClass} with the JVM options {@code jvmArgs}, waits for it and checks that it exited 0.
     *
     * @param mainClass the class whose main runs
     * @param jvmArgs   options before the class path
     * @return what it printed
     * @throws IOException          when it cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static Output run(Class<?> mainClass, String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        // Standard error goes to a file, so that neither stream can fill its pipe while the other is read.
        Path errFile = Files.createTempFile("child-jvm", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), () -> mainClass.getSimpleName() + " did not finish");
            String errors = Files.readString(errFile);
            assertEquals(0, process.exitValue(), () -> mainClass.getSimpleName() + " failed: " + out + errors);
            return new Output(out, errors);
        } finally {
            Files.deleteIfExists(errFile);
        }
    }
}
