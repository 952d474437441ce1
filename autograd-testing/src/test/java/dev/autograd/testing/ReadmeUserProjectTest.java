package dev.autograd.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's "Testing gradients of your own ops" shows the user project that Maven Invoker builds from
 * {@code src/it/readme-user-project}: every fenced block preceded by {@code <!-- file: PATH -->} must be
 * byte-identical to the file at PATH, so what a user copies is what the build proved to work.
 */
class ReadmeUserProjectTest {

    private static final Pattern FILE_BLOCK =
            Pattern.compile("<!-- file: (\\S+) -->\\n```[a-z]*\\n(.*?)```\\n", Pattern.DOTALL);

    /** The repository root: the parent of this module's folder when run by Maven, or the working directory. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("README.md")) && Files.exists(here.resolve("autograd-testing"))
                ? here : here.getParent();
    }

    /** README path -> the text of the fenced block that follows its marker. */
    static Map<String, String> fileBlocks(String readme) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = FILE_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.put(m.group(1), m.group(2));
        }
        return blocks;
    }

    @Test
    void theReadmeShowsTheUserProjectsPomAndTestVerbatim() throws IOException {
        Path root = root();
        Map<String, String> blocks = fileBlocks(Files.readString(root.resolve("README.md")));
        String project = "autograd-testing/src/it/readme-user-project/";
        assertTrue(blocks.containsKey(project + "pom.xml"), () -> "README shows no pom of the user project: " + blocks.keySet());
        assertTrue(blocks.containsKey(project + "src/test/java/com/example/StableSoftplusTest.java"),
                () -> "README shows no test class of the user project: " + blocks.keySet());
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> e : blocks.entrySet()) {
            Path file = root.resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), () -> "README names " + e.getKey() + ", which does not exist");
            if (!Files.readString(file).equals(e.getValue())) {
                differing.add(e.getKey());
            }
        }
        assertEquals(List.of(), differing, "README blocks that differ from their files (copy the file into the README)");
    }

    @Test
    void theUserTestClassIsOneSurefireRunsByDefault() throws IOException {
        // Surefire's default includes: **/Test*.java, **/*Test.java, **/*Tests.java, **/*TestCase.java
        for (String path : fileBlocks(Files.readString(root().resolve("README.md"))).keySet()) {
            if (path.endsWith(".java")) {
                String name = Path.of(path).getFileName().toString().replace(".java", "");
                assertTrue(name.startsWith("Test") || name.endsWith("Test") || name.endsWith("Tests")
                        || name.endsWith("TestCase"), () -> name + " is not run by Surefire's default includes");
            }
        }
    }

    @Test
    void thePlantedBugProjectDiffersFromTheReadmeProjectOnlyByItsBug() throws IOException {
        Path it = root().resolve("autograd-testing/src/it");
        String test = "src/test/java/com/example/StableSoftplusTest.java";
        String good = Files.readString(it.resolve("readme-user-project").resolve(test));
        String bad = Files.readString(it.resolve("planted-wrong-gradient").resolve(test));
        String planted = good.replace("return new Tensor[] {grad.mul(ctx.saved(0).sigmoid())};",
                "// planted bug: twice the derivative\n            return new Tensor[] {grad.mul(ctx.saved(0).sigmoid()).mul(2)};");
        assertTrue(!planted.equals(good), "the correct backward line was not found in the README project");
        assertEquals(planted, bad);
        assertEquals(Files.readString(it.resolve("readme-user-project/pom.xml"))
                .replace("<artifactId>my-ops</artifactId>", "<artifactId>my-ops-planted-bug</artifactId>"),
                Files.readString(it.resolve("planted-wrong-gradient/pom.xml")));
    }
}
