package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.nn.Module;
import dev.autograd.nn.SafeTensors;
import dev.autograd.spark.StepStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Spark example on local[2] with generated data (so that it runs without Fashion-MNIST): a few steps, its
 * files, its summary.
 */
class SparkTrainingTest {

    @Test
    void trainsOnLocalSparkAndWritesTheModelAndTheChart() throws Exception {
        Path dir = ExampleAssertions.OUT.resolve("spark-training");
        SparkTraining.Config config = SparkTraining.Config.parse(new String[] {"--master", "local[2]", "--steps", "12",
                "--batch", "64", "--limit", "768", "--generated", "--out", dir.toString()});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SparkTraining.Result r = SparkTraining.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(2, r.partitions(), "local[2] gives two partitions by default");
        assertEquals("local[2]", r.master());
        assertEquals(12, r.history().size());
        StepStats first = r.history().get(0);
        StepStats last = r.history().get(11);
        assertTrue(last.loss() < first.loss(), () -> "loss " + first.loss() + " -> " + last.loss());
        assertTrue(r.examplesPerSec() > 0 && r.communication() >= 0 && r.communication() <= 1, r::toString);
        assertTrue(Double.isNaN(r.testAccuracy()), "no test set for generated data");

        Module model = dev.autograd.examples.FashionMnistMlp.model(new Random(0)).to(DType.FLOAT32);
        SafeTensors.load(model, r.model());
        ExampleAssertions.assertPicture(r.chart(), 4);
        Path checkpoint = dir.resolve("checkpoint").resolve("checkpoint.safetensors");
        assertTrue(Files.isRegularFile(checkpoint));
        ExampleAssertions.assertListedInReadme("spark-training", List.of(r.model(), r.chart()));
        ExampleAssertions.assertListedInReadme("spark-training/checkpoint", List.of(checkpoint));
        assertTrue(printed.startsWith("training the MLP 784-256-128-10 on generated data (768 samples) with Spark 4."),
                printed);
        assertTrue(printed.contains("2 partitions on local[2]: "), printed);
        assertTrue(printed.contains("wrote " + r.model()), printed);
        assertTrue(printed.contains("wrote " + r.chart()), printed);
    }

    @Test
    void unknownOptionsAreRefusedWithTheList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkTraining.Config.parse(new String[] {"--mastr", "local"}));
        assertEquals("SparkTraining: unknown option --mastr; options: --master URL, --partitions N, --steps N, --batch N, "
                + "--limit N, --generated, --out DIR", e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SparkTraining.Config.parse(new String[] {"--steps"}));
        assertEquals("SparkTraining: option --steps needs a value", missing.getMessage());
    }
}
