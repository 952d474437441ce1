package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.SafeTensors;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's first example: a {@code 2 -> 16 -> 16 -> 1} tanh MLP from autograd-nn learns to separate
 * the two-moons data set with Adam on mini-batches, logs its progress, prints the final training accuracy,
 * saves the trained model as {@code out/two-moons/two-moons.safetensors} and checks that the saved file,
 * loaded into a fresh model, gives the same predictions.
 *
 * <p>Run it with {@code ./mvnw -q -pl autograd-examples -am compile exec:java}. It exits with status 1 when
 * the accuracy is below 95% or the reloaded model disagrees. {@link TwoMoonsCore} trains the same kind of
 * network from core ops alone.
 */
public final class TwoMoons {

    private static final Logger LOG = LoggerFactory.getLogger(TwoMoons.class);

    /** The accuracy the program insists on. */
    public static final double REQUIRED_ACCURACY = 0.95;

    private TwoMoons() {
    }

    /**
     * What to train.
     *
     * @param samples      points in the data set (half per moon), at least 2
     * @param epochs       passes over the data, at least 1
     * @param batchSize    points per optimizer step, at least 1
     * @param learningRate Adam's step size
     * @param seed         seeds the data, the initial weights and the shuffling
     * @param outputDir    where the model file goes
     */
    public record Config(int samples, int epochs, int batchSize, double learningRate, long seed, Path outputDir) {

        /** Checks the values. */
        public Config {
            if (samples < 2 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("TwoMoons: need samples >= 2, epochs >= 1, batchSize >= 1 and a"
                        + " positive learning rate, got " + samples + ", " + epochs + ", " + batchSize + ", " + learningRate);
            }
        }

        /**
         * The defaults the README command runs: 400 points, 60 epochs of batches of 32, lr 0.01, seed 42.
         *
         * @return the default configuration, writing to {@code out/two-moons}
         */
        public static Config defaults() {
            return new Config(400, 60, 32, 0.01, 42L, Path.of("out", "two-moons"));
        }
    }

    /**
     * What training produced.
     *
     * @param accuracy       final training accuracy in [0, 1]
     * @param lossPerEpoch   mean mini-batch loss of each epoch, in order
     * @param modelFile      the saved model
     * @param reloadAgrees   whether the model loaded from {@code modelFile} predicts exactly the same logits
     * @param model          the trained model
     * @param data           the data set it was trained on
     */
    public record Result(double accuracy, List<Double> lossPerEpoch, Path modelFile, boolean reloadAgrees, MLP model,
                         TwoMoonsCore.Dataset data) {
    }

    /**
     * Runs the default configuration.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Result result = train(Config.defaults());
        System.out.printf(Locale.ROOT, "final training accuracy: %.1f%%%n", 100 * result.accuracy());
        System.out.println("model saved to " + result.modelFile().toAbsolutePath());
        System.out.println("reloaded model gives the same predictions: " + result.reloadAgrees());
        if (result.accuracy() < REQUIRED_ACCURACY || !result.reloadAgrees()) {
            System.exit(1);
        }
    }

    /**
     * Trains, saves and reloads the model.
     *
     * @param config what to train
     * @return the accuracy, the loss curve and where the model went
     */
    public static Result train(Config config) {
        Random random = new Random(config.seed());
        TwoMoonsCore.Dataset data = TwoMoonsCore.moons(config.samples(), config.seed());
        Tensor x = data.points();
        // Binary cross-entropy wants targets in {0, 1}; the data set labels the moons +1 and -1.
        Tensor y = data.labels().add(1).div(2);

        MLP model = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(random);
        DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(config.batchSize())
                .shuffle(config.seed()).build();
        Optimizer optimizer = new Adam(model.parameters(), config.learningRate());
        LOG.info("model:\n{}", model);

        List<Double> losses = new ArrayList<>();
        int logEvery = Math.max(1, config.epochs() / 10);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            double total = 0;
            int batches = 0;
            for (Batch batch : loader) {
                optimizer.zeroGrad();
                Tensor loss = Losses.binaryCrossEntropyWithLogits(model.forward(batch.features()), batch.targets());
                loss.backward();
                optimizer.step();
                total += loss.item();
                batches++;
            }
            losses.add(total / batches);
            if (epoch == 1 || epoch % logEvery == 0 || epoch == config.epochs()) {
                LOG.info("epoch {}/{}: loss {}, accuracy {}", epoch, config.epochs(),
                        String.format(Locale.ROOT, "%.4f", total / batches), percent(accuracy(model, x, y)));
            }
        }

        model.eval();
        double accuracy = accuracy(model, x, y);
        Path file = config.outputDir().resolve("two-moons.safetensors");
        try {
            Files.createDirectories(config.outputDir());
        } catch (IOException e) {
            throw new UncheckedIOException("TwoMoons: cannot create " + config.outputDir(), e);
        }
        SafeTensors.save(model, file);
        LOG.info("saved {} parameters to {}", model.parameterCount(), file.toAbsolutePath());

        // A fresh model with other random weights, then the saved ones: predictions must be identical.
        MLP reloaded = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(new Random(config.seed() + 1));
        SafeTensors.load(reloaded, file);
        reloaded.eval();
        boolean agrees;
        try (var scope = Autograd.noGrad()) {
            agrees = Arrays.equals(model.forward(x).toDoubleArray(), reloaded.forward(x).toDoubleArray());
        }
        return new Result(accuracy, List.copyOf(losses), file, agrees, model, data);
    }

    /**
     * The fraction of points whose logit has the sign of their label.
     *
     * @param model the classifier
     * @param x     points {@code [n, 2]}
     * @param y     labels in {0, 1}, {@code [n, 1]}
     * @return the accuracy in [0, 1]
     */
    public static double accuracy(MLP model, Tensor x, Tensor y) {
        try (var scope = Autograd.noGrad()) {
            Tensor predicted = model.forward(x).gt(0);
            return predicted.eq(y).mean().item();
        }
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
