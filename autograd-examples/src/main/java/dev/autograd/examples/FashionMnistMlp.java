package dev.autograd.examples;

import dev.autograd.nn.Flatten;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Module;
import dev.autograd.nn.ReLU;
import dev.autograd.nn.Sequential;
import java.nio.file.Path;
import java.util.Random;

/**
 * A multilayer perceptron learns Fashion-MNIST: images flattened to 784 inputs in {@code [0, 1]}, layers
 * {@code 784 -> 256 -> 128 -> 10} with ReLU, Adam with learning rate 1e-3, batches of 128, 5 epochs, in
 * FLOAT32. It logs each epoch's loss, training accuracy, samples per second and time, prints the test accuracy
 * and draws {@code out/fashion-mnist-mlp/loss-accuracy.png} and {@code confusion-matrix.png}. PyTorch with
 * the same settings reaches about 87.6% test accuracy.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.FashionMnistMlp};
 * {@code -Dfashion.epochs=N} sets the epochs, {@code -Dfashion.limit=N} trains on the first N samples,
 * {@code -Dfashion.seed=N} changes the seed (42) of the initial weights and the shuffling, and
 * {@code -Dautograd.fashionMnist.dir=/folder} reads the data from another folder than Debian's package's. Without
 * the data it says how to get it and exits with status 2.
 */
public final class FashionMnistMlp {

    /** Where the pictures go. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "fashion-mnist-mlp");

    private FashionMnistMlp() {
    }

    /**
     * The network: {@code Flatten}, then {@code 784 -> 256 -> 128 -> 10} with ReLU between the layers.
     *
     * @param random the source of the initial weights (PyTorch's default initialisation)
     * @return the model, FLOAT64 until converted; images {@code [B, 1, 28, 28]} in, logits {@code [B, 10]} out
     */
    public static Module model(Random random) {
        return new Sequential(new Flatten(), MLP.builder(784, 256, 128, 10).activation(ReLU::new).build(random));
    }

    /**
     * The README's settings, with {@code -Dfashion.epochs} and {@code -Dfashion.limit} applied.
     *
     * @return the configuration
     */
    public static FashionMnistTraining.Config config() {
        return FashionMnistTraining.Config.fromSystemProperties("MLP 784-256-128-10", 5, 128, 1e-3, DEFAULT_OUTPUT);
    }

    /**
     * Trains and reports.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        FashionMnistTraining.run(config(), FashionMnistMlp::model);
    }
}
