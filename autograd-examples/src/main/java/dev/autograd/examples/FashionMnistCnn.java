package dev.autograd.examples;

import dev.autograd.nn.Conv2d;
import dev.autograd.nn.Flatten;
import dev.autograd.nn.Linear;
import dev.autograd.nn.MaxPool2d;
import dev.autograd.nn.Module;
import dev.autograd.nn.ReLU;
import dev.autograd.nn.Sequential;
import java.nio.file.Path;
import java.util.Random;

/**
 * A small convolutional network learns Fashion-MNIST: {@code Conv2d(1, 16, 3, padding 1)}, ReLU,
 * {@code MaxPool2d(2)}, {@code Conv2d(16, 32, 3, padding 1)}, ReLU, {@code MaxPool2d(2)}, Flatten,
 * {@code Linear(1568, 10)}; Adam with learning rate 1e-3, batches of 64, 3 epochs, in FLOAT32. It logs each
 * epoch's loss, training accuracy, samples per second and time, prints the test accuracy and draws
 * {@code out/fashion-mnist-cnn/loss-accuracy.png} and {@code confusion-matrix.png}. PyTorch with the same
 * settings reaches about 88.9% test accuracy.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.FashionMnistCnn};
 * {@code -Dfashion.epochs=N} sets the epochs, {@code -Dfashion.limit=N} trains on the first N samples,
 * {@code -Dfashion.seed=N} changes the seed (42) of the initial weights and the shuffling, and
 * {@code -Dautograd.fashionMnist.dir=/folder} reads the data from another folder than Debian's package's. Without
 * the data it says how to get it and exits with status 2.
 */
public final class FashionMnistCnn {

    /** Where the pictures go. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "fashion-mnist-cnn");

    private FashionMnistCnn() {
    }

    /**
     * The network: two 3x3 convolutions (16 and 32 channels, padding 1) each followed by ReLU and 2x2 max
     * pooling ({@code 28 -> 14 -> 7}), then a linear layer from {@code 32 * 7 * 7 = 1568} features to 10.
     *
     * @param random the source of the initial weights (PyTorch's default initialisation)
     * @return the model, FLOAT64 until converted; images {@code [B, 1, 28, 28]} in, logits {@code [B, 10]} out
     */
    public static Module model(Random random) {
        return new Sequential(
                new Conv2d(1, 16, 3, 1, 1, true, random), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1, true, random), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(32 * 7 * 7, 10, random));
    }

    /**
     * The README's settings, with {@code -Dfashion.epochs} and {@code -Dfashion.limit} applied.
     *
     * @return the configuration
     */
    public static FashionMnistTraining.Config config() {
        return FashionMnistTraining.Config.fromSystemProperties("CNN conv16-conv32-linear", 3, 64, 1e-3, DEFAULT_OUTPUT);
    }

    /**
     * Trains and reports.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        FashionMnistTraining.run(config(), FashionMnistCnn::model);
    }
}
