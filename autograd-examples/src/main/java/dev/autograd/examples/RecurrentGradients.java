package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.GradClip;
import dev.autograd.nn.LSTM;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.RNN;
import dev.autograd.nn.RecurrentLayer;
import dev.autograd.nn.optim.Adam;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Vanishing and exploding gradients through time: a plain {@link RNN} against an {@link LSTM} on a task that
 * needs a memory of {@code T} steps.
 *
 * <p><b>The task.</b> Each sequence is {@code T} symbols drawn uniformly from an alphabet of
 * {@code symbols} (one-hot inputs, plus a marker feature that is 1 at the first step); the answer is the
 * first symbol. Everything after it is noise the model must ignore while holding the first symbol in its
 * state. A one-layer RNN or LSTM reads the sequence, a
 * {@link Linear} head classifies its last hidden state, cross-entropy is the loss, Adam the optimiser, and
 * {@link GradClip#clipGradNorm} caps every step's gradient norm. Chance is {@code 1 / symbols}.
 *
 * <p><b>What it shows.</b> The only path from the first symbol to the loss runs through all {@code T} steps;
 * backpropagation through time multiplies the gradient by one step's Jacobian per step. For the RNN that is
 * {@code diag(tanh'(z_t)) W_hh}, whose norm is below 1 here, so the gradient reaching step 1 shrinks
 * geometrically with {@code T}: {@code gradient-through-time.png} draws {@code ||dL/dx_t||}, the gradient
 * of the loss with respect to the input at each step (its log10). As {@code T} grows the RNN gets almost no
 * signal from the first symbol and learns little of the task ({@code accuracy-vs-length.png},
 * {@code loss-vs-length.png}), while the LSTM's cell state, whose one-step Jacobian is the forget gate,
 * carries the gradient back and it learns. Both layers keep PyTorch's initialisation, except the LSTM's
 * forget-gate bias, set to {@code forgetBias} (5 by default: the gate starts at {@code sigmoid(5) = 0.993}, a
 * memory of the order of {@code 1 / (1 - 0.993) = 150} steps). A large forget bias is the usual recipe for
 * long memories (Jozefowicz et al. 2015 recommend 1; Tallec and Ollivier 2018 about {@code log T}). Here,
 * with a bias of 1 the LSTM did not learn 20 steps in 800 training steps, and with 3 it stalled at about 70%
 * at 40 steps.
 *
 * <p>The same products can also grow instead of shrink, when the state sits where {@code tanh'} is large and
 * {@code W_hh} has grown: {@code gradient-norm-during-training.png} draws the norm of the whole gradient at
 * each training step before clipping, at the longest length, with the clipping threshold. Spikes above it are
 * cut to it, so that one bad batch cannot throw the weights far away. For comparison the RNN is trained once
 * more at the longest length without clipping: its spikes go unchecked, and with this seed it ends near
 * chance where the clipped RNN gets about half the sequences right (the printed line compares the two).
 *
 * <p>Files go to {@code out/recurrent-gradients/}. Run:
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.RecurrentGradients}
 */
public final class RecurrentGradients {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "recurrent-gradients");

    /** The input-gradient norm per time step, at initialisation and after training. */
    public static final String GRADIENT_THROUGH_TIME_FILE = "gradient-through-time.png";
    /** Test accuracy against the sequence length. */
    public static final String ACCURACY_FILE = "accuracy-vs-length.png";
    /** Test loss against the sequence length. */
    public static final String LOSS_FILE = "loss-vs-length.png";
    /** The gradient norm before clipping at each training step, at the longest length. */
    public static final String TRAINING_NORM_FILE = "gradient-norm-during-training.png";

    /** The two models, in the order of the tables. */
    public static final List<String> MODELS = List.of("RNN", "LSTM");

    private RecurrentGradients() {
    }

    /**
     * The sizes.
     *
     * @param lengths      the sequence lengths {@code T} to train at, increasing
     * @param symbols      the alphabet size, at least 2
     * @param hidden       the hidden size of both models
     * @param batchSize    sequences per training step (fresh ones every step)
     * @param steps        training steps per model and length
     * @param learningRate Adam's step size
     * @param maxNorm      the gradient norm {@link GradClip#clipGradNorm} clips to
     * @param testSize     sequences of the fixed test set of each length
     * @param forgetBias   the LSTM's initial forget-gate bias {@code b_if} ({@code b_hf} starts at 0)
     * @param seed         seeds the data and the weights
     */
    public record Config(List<Integer> lengths, int symbols, int hidden, int batchSize, int steps, double learningRate,
                         double maxNorm, int testSize, double forgetBias, long seed) {

        /** Checks the values. */
        public Config {
            lengths = List.copyOf(lengths);
            if (lengths.isEmpty() || lengths.stream().anyMatch(t -> t < 1) || symbols < 2 || hidden < 1 || batchSize < 1
                    || steps < 1 || !(learningRate > 0) || !(maxNorm > 0) || testSize < 1) {
                throw new IllegalArgumentException("RecurrentGradients: need lengths >= 1, at least 2 symbols and positive"
                        + " sizes, steps, learning rate and max norm; got " + lengths + ", " + symbols + ", " + hidden + ", "
                        + batchSize + ", " + steps + ", " + learningRate + ", " + maxNorm + ", " + testSize);
            }
        }

        /**
         * @return lengths 10, 20, 40, 60; 4 symbols; 32 hidden units; 1500 Adam steps (lr 0.01) of 32 sequences;
         *         clipping to norm 1; 512 test sequences; forget-gate bias 5
         */
        public static Config defaults() {
            return new Config(List.of(10, 20, 40, 60), 4, 32, 32, 1500, 0.01, 1.0, 512, 5.0, 7L);
        }

        /** @return the longest length */
        public int longest() {
            return lengths.get(lengths.size() - 1);
        }
    }

    /**
     * One model trained at one length.
     *
     * @param model        "RNN" or "LSTM"
     * @param length       the sequence length {@code T}
     * @param accuracy     test accuracy after training
     * @param loss         test loss after training
     * @param trainLosses  the training loss at each step
     * @param gradNorms    the global gradient norm at each step, before clipping
     * @param clippedSteps how many steps clipping scaled down
     * @param seconds      the training time
     */
    public record Run(String model, int length, double accuracy, double loss, List<Double> trainLosses,
                      List<Double> gradNorms, int clippedSteps, double seconds) {
    }

    /**
     * What the example measured.
     *
     * @param runs             per model (see {@link #MODELS}), one run per length in order
     * @param gradientAtInit   per model, {@code ||dL/dx_t||} for {@code t = 1..T} at the longest {@code T}, at
     *                         initialisation
     * @param gradientTrained  the same after training
     * @param unclippedRnn     the RNN trained at the longest length without clipping, for comparison
     * @param files            the PNG files written
     * @param seconds          the whole run's time
     */
    public record Result(Map<String, List<Run>> runs, Map<String, double[]> gradientAtInit,
                         Map<String, double[]> gradientTrained, Run unclippedRnn, List<Path> files, double seconds) {

        /**
         * @param model  "RNN" or "LSTM"
         * @param length a length of the configuration
         * @return that run
         */
        public Run run(String model, int length) {
            return runs.get(model).stream().filter(r -> r.length() == length).findFirst().orElseThrow();
        }
    }

    /** A recurrent layer and a linear head on its last hidden state: logits {@code [N, symbols]}. */
    static final class SequenceClassifier extends Module {
        private final RecurrentLayer recurrent;
        private final Linear head;

        SequenceClassifier(RecurrentLayer recurrent, int classes, Random random) {
            this.recurrent = registerModule("recurrent", recurrent);
            this.head = registerModule("head", new Linear(recurrent.hiddenSize(), classes, random));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor hidden = recurrent.forwardWithState(x).hidden();     // [1, N, H]: the last step
            return head.forward(hidden.select(0, 0));
        }
    }

    /** Sequences of one-hot symbols and their first symbols. */
    record Batch(Tensor inputs, int[] targets) {
    }

    /**
     * {@code n} sequences of {@code length} symbols drawn from {@code random}, one-hot {@code [n, length,
     * symbols]}; the target of each is its first symbol.
     */
    static Batch batch(Random random, int n, int length, int symbols) {
        int features = symbols + 1;
        double[] data = new double[n * length * features];
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < length; t++) {
                int s = random.nextInt(symbols);
                data[(i * length + t) * features + s] = 1;
                if (t == 0) {
                    targets[i] = s;
                    data[(i * length + t) * features + symbols] = 1;     // the marker: remember this one
                }
            }
        }
        return new Batch(Tensor.of(data, n, length, features), targets);
    }

    static SequenceClassifier model(String kind, Config config, long seed) {
        Random random = new Random(seed);
        RecurrentLayer layer;
        if (kind.equals("RNN")) {
            layer = new RNN(config.symbols() + 1, config.hidden(), 1, RNN.Nonlinearity.TANH, true, random);
        } else {
            LSTM lstm = new LSTM(config.symbols() + 1, config.hidden(), random);
            // Forget-gate bias 1 (b_if + b_hf, the second quarter of the biases): remember by default.
            setForgetBias(lstm, config.hidden(), config.forgetBias());
            layer = lstm;
        }
        return new SequenceClassifier(layer, config.symbols(), random);
    }

    /** Sets {@code b_if = bias} and {@code b_hf = 0}, so the forget gate starts near {@code sigmoid(bias)}. */
    private static void setForgetBias(LSTM lstm, int h, double bias) {
        double[] ih = lstm.biasIh(0).toDoubleArray();
        double[] hh = lstm.biasHh(0).toDoubleArray();
        for (int j = h; j < 2 * h; j++) {
            ih[j] = bias;
            hh[j] = 0;
        }
        try (var s = Autograd.noGrad()) {
            lstm.biasIh(0).copyFrom(Tensor.of(ih, ih.length));
            lstm.biasHh(0).copyFrom(Tensor.of(hh, hh.length));
        }
    }

    /**
     * Runs the defaults, writing to {@link #DEFAULT_OUTPUT}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(DEFAULT_OUTPUT, Config.defaults(), System.out);
    }

    /**
     * Trains both models at every length, measures the gradient through time, prints the tables and draws
     * the charts.
     *
     * @param outputDir where to write the PNG files; created if needed
     * @param config    the sizes
     * @param out       where to print
     * @return the measurements and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        long start = System.nanoTime();
        Path dir = ExampleFiles.prepare(outputDir);
        out.printf(Locale.ROOT, "Remember the first of T symbols (alphabet of %d, chance %.0f%%): RNN(tanh) vs LSTM,"
                        + " hidden size %d, %d Adam steps (lr %s) of %d fresh sequences, clipGradNorm(%s), test set of %d%n",
                config.symbols(), 100.0 / config.symbols(), config.hidden(), config.steps(), config.learningRate(),
                config.batchSize(), config.maxNorm(), config.testSize());
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        Map<String, double[]> atInit = new LinkedHashMap<>();
        Map<String, double[]> trained = new LinkedHashMap<>();
        for (String kind : MODELS) {
            runs.put(kind, new ArrayList<>());
        }
        for (int length : config.lengths()) {
            Batch test = batch(new Random(config.seed() * 31 + length), config.testSize(), length, config.symbols());
            for (String kind : MODELS) {
                SequenceClassifier model = model(kind, config, config.seed() + length);
                boolean longest = length == config.longest();
                if (longest) {
                    atInit.put(kind, gradientThroughTime(model, test));
                }
                Run run = train(kind, model, length, test, config, true);
                runs.get(kind).add(run);
                if (longest) {
                    trained.put(kind, gradientThroughTime(model, test));
                }
                out.printf(Locale.ROOT, "T = %3d  %-4s  test accuracy %5.1f%%  test loss %.3f  (%d of %d steps clipped,"
                                + " largest gradient norm %.3g)  %.1f s%n", length, kind, 100 * run.accuracy(), run.loss(),
                        run.clippedSteps(), config.steps(), run.gradNorms().stream().mapToDouble(Double::doubleValue).max()
                                .orElse(0), run.seconds());
            }
        }

        out.println();
        out.println("test accuracy (chance " + String.format(Locale.ROOT, "%.0f%%", 100.0 / config.symbols()) + ")");
        out.printf(Locale.ROOT, "%6s  %8s  %8s%n", "T", "RNN", "LSTM");
        for (int length : config.lengths()) {
            out.printf(Locale.ROOT, "%6d  %7.1f%%  %7.1f%%%n", length, 100 * runsAt(runs, "RNN", length).accuracy(),
                    100 * runsAt(runs, "LSTM", length).accuracy());
        }
        int longest = config.longest();
        out.println();
        out.printf(Locale.ROOT, "||dL/dx_t|| at T = %d (the gradient of the loss with respect to the input at step t):%n",
                longest);
        out.printf(Locale.ROOT, "%6s  %12s  %12s  %12s  %12s%n", "t", "RNN init", "RNN trained", "LSTM init", "LSTM trained");
        for (int t : sampleSteps(longest)) {
            out.printf(Locale.ROOT, "%6d  %12.3e  %12.3e  %12.3e  %12.3e%n", t, atInit.get("RNN")[t - 1],
                    trained.get("RNN")[t - 1], atInit.get("LSTM")[t - 1], trained.get("LSTM")[t - 1]);
        }
        for (String kind : MODELS) {
            double[] g = trained.get(kind);
            out.printf(Locale.ROOT, "%-4s after training: ||dL/dx_1|| / ||dL/dx_T|| = %.1e%n", kind, g[0] / g[g.length - 1]);
        }

        // The same RNN run at the longest length, without clipping.
        Batch test = batch(new Random(config.seed() * 31 + longest), config.testSize(), longest, config.symbols());
        Run unclipped = train("RNN", model("RNN", config, config.seed() + longest), longest, test, config, false);
        Run clippedRnn = runsAt(runs, "RNN", longest);
        out.println();
        out.printf(Locale.ROOT, "RNN at T = %d without clipping: test accuracy %.1f%%, largest gradient norm %.3g;"
                        + " with clipGradNorm(%s): %.1f%%, largest norm %.3g, cut to %s in %d of %d steps%n", longest,
                100 * unclipped.accuracy(), max(unclipped.gradNorms()), config.maxNorm(), 100 * clippedRnn.accuracy(),
                max(clippedRnn.gradNorms()), config.maxNorm(), clippedRnn.clippedSteps(), config.steps());

        List<Path> files = new ArrayList<>();
        files.add(Charts.savePng(gradientChart(atInit, trained, longest), dir.resolve(GRADIENT_THROUGH_TIME_FILE)));
        files.add(Charts.savePng(lengthChart(runs, config, true), dir.resolve(ACCURACY_FILE)));
        files.add(Charts.savePng(lengthChart(runs, config, false), dir.resolve(LOSS_FILE)));
        files.add(Charts.savePng(trainingNormChart(runs, unclipped, config), dir.resolve(TRAINING_NORM_FILE)));
        out.println();
        files.forEach(f -> out.println("wrote " + f));
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "total time %.1f s%n", seconds);
        Map<String, List<Run>> frozen = new LinkedHashMap<>();
        runs.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Result(frozen, atInit, trained, unclipped, List.copyOf(files), seconds);
    }

    private static Run runsAt(Map<String, List<Run>> runs, String kind, int length) {
        return runs.get(kind).stream().filter(r -> r.length() == length).findFirst().orElseThrow();
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static Run train(String kind, SequenceClassifier model, int length, Batch test, Config config, boolean clip) {
        long start = System.nanoTime();
        Random data = new Random(config.seed() * 17 + length);
        Adam adam = new Adam(model.parameters(), config.learningRate());
        List<Double> losses = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        int clipped = 0;
        for (int step = 0; step < config.steps(); step++) {
            Batch b = batch(data, config.batchSize(), length, config.symbols());
            adam.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(b.inputs()), b.targets());
            loss.backward();
            double norm = clip ? GradClip.clipGradNorm(model.parameters(), config.maxNorm()) : GradClip.totalNorm(model.parameters());
            clipped += clip && norm > config.maxNorm() ? 1 : 0;
            losses.add(loss.item());
            norms.add(norm);
            adam.step();
        }
        double[] eval = evaluate(model, test);
        return new Run(kind, length, eval[0], eval[1], List.copyOf(losses), List.copyOf(norms), clipped,
                (System.nanoTime() - start) / 1e9);
    }


    /** @return {accuracy, loss} on the test set */
    private static double[] evaluate(SequenceClassifier model, Batch test) {
        try (var s = Autograd.noGrad()) {
            Tensor logits = model.forward(test.inputs());
            double[] predicted = logits.argmax(1, false).toDoubleArray();
            int correct = 0;
            for (int i = 0; i < predicted.length; i++) {
                correct += (int) predicted[i] == test.targets()[i] ? 1 : 0;
            }
            return new double[] {correct / (double) predicted.length, Losses.crossEntropy(logits, test.targets()).item()};
        }
    }

    /**
     * {@code ||dL/dx_t||} for {@code t = 1..T}: the input is made a leaf that requires grad, and after one
     * backward its gradient {@code [N, T, symbols]} holds, at step {@code t}, how much the loss would change
     * with the input at that step. The parameters' gradients are cleared afterwards.
     */
    static double[] gradientThroughTime(SequenceClassifier model, Batch test) {
        Tensor x = test.inputs().detach().requiresGrad(true);
        Losses.crossEntropy(model.forward(x), test.targets()).backward();
        model.zeroGrad();
        int[] s = x.shape();
        double[] g = x.grad().toDoubleArray();
        double[] norms = new double[s[1]];
        for (int i = 0; i < s[0]; i++) {
            for (int t = 0; t < s[1]; t++) {
                for (int k = 0; k < s[2]; k++) {
                    double v = g[(i * s[1] + t) * s[2] + k];
                    norms[t] += v * v;
                }
            }
        }
        for (int t = 0; t < norms.length; t++) {
            norms[t] = Math.sqrt(norms[t]);
        }
        return norms;
    }

    private static int[] sampleSteps(int length) {
        return java.util.stream.IntStream.rangeClosed(1, length)
                .filter(t -> t <= 3 || t == length || t % Math.max(1, length / 8) == 0).toArray();
    }

    private static final Color RNN_COLOR = new Color(0xD62728);
    private static final Color LSTM_COLOR = new Color(0x1F77B4);

    private static Color color(String kind) {
        return kind.equals("RNN") ? RNN_COLOR : LSTM_COLOR;
    }

    private static XYChart gradientChart(Map<String, double[]> atInit, Map<String, double[]> trained, int length) {
        // log10 on a linear axis rather than a log axis: the norms span some 80 decades, and a log axis labels
        // every one of them.
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Gradient of the loss w.r.t. the input at each step, T = %d", length),
                "time step t (the answer is the symbol at t = 1; the loss is read after t = " + length + ")",
                "log10 ||dL/dx_t|| over the test set", false);
        double[] steps = new double[length];
        for (int t = 0; t < length; t++) {
            steps[t] = t + 1;
        }
        for (String kind : MODELS) {
            var init = Charts.addLine(chart, kind + " at initialisation", steps, log10(atInit.get(kind)));
            if (init != null) {
                init.setLineColor(color(kind));
                init.setMarkerColor(color(kind));
                init.setLineStyle(new java.awt.BasicStroke(2.5f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
                init.setMarker(SeriesMarkers.NONE);
            }
            var after = Charts.addLine(chart, kind + " after training", steps, log10(trained.get(kind)));
            if (after != null) {
                after.setLineColor(color(kind));
                after.setMarkerColor(color(kind));
            }
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("0");
        return chart;
    }

    private static double[] log10(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.log10(values[i]);
        }
        return out;
    }

    private static XYChart lengthChart(Map<String, List<Run>> runs, Config config, boolean accuracy) {
        XYChart chart = Charts.lineChart(accuracy ? "Test accuracy after training, by sequence length"
                        : "Test loss after training, by sequence length", "sequence length T",
                accuracy ? "test accuracy (%)" : "test cross-entropy", false);
        for (String kind : MODELS) {
            List<Run> r = runs.get(kind);
            double[] x = r.stream().mapToDouble(Run::length).toArray();
            double[] y = r.stream().mapToDouble(v -> accuracy ? 100 * v.accuracy() : v.loss()).toArray();
            var series = Charts.addLine(chart, kind, x, y);
            if (series != null) {
                series.setLineColor(color(kind));
                series.setMarkerColor(color(kind));
            }
        }
        double[] ends = {config.lengths().get(0), config.longest()};
        double chance = accuracy ? 100.0 / config.symbols() : Math.log(config.symbols());
        var line = Charts.addLine(chart, accuracy ? "chance" : "chance (log " + config.symbols() + ")", ends,
                new double[] {chance, chance});
        if (line != null) {
            line.setLineColor(Color.GRAY);
            line.setMarker(SeriesMarkers.NONE);
        }
        if (accuracy) {
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(100.0);
        } else {
            chart.getStyler().setYAxisMin(0.0);
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    private static XYChart trainingNormChart(Map<String, List<Run>> runs, Run unclipped, Config config) {
        int length = config.longest();
        XYChart chart = Charts.lineChart(String.format(Locale.ROOT,
                        "Gradient norm before clipping at each training step, T = %d (test accuracy)", length),
                "training step", "global gradient norm (log scale)", true);
        double[] steps = new double[config.steps()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i + 1;
        }
        for (String kind : List.of("LSTM", "RNN")) {
            Run r = runsAt(runs, kind, length);
            var series = Charts.addLine(chart, String.format(Locale.ROOT, "%s, clipped in %d steps (%.0f%%)",
                    kind, r.clippedSteps(), 100 * r.accuracy()), steps,
                    r.gradNorms().stream().mapToDouble(Double::doubleValue).toArray());
            if (series != null) {
                series.setLineColor(color(kind));
                series.setMarkerColor(color(kind));
                series.setMarker(SeriesMarkers.NONE);
                series.setLineWidth(1.5f);
            }
        }
        // The unclipped run last and thin, over the clipped RNN it starts out identical to.
        var plain = Charts.addLine(chart, String.format(Locale.ROOT, "RNN, not clipped (%.0f%%)",
                100 * unclipped.accuracy()), steps, unclipped.gradNorms().stream().mapToDouble(Double::doubleValue).toArray());
        if (plain != null) {
            plain.setLineColor(new Color(0xFF7F0E));
            plain.setMarker(SeriesMarkers.NONE);
            plain.setLineWidth(1.0f);
        }
        var clip = Charts.addLine(chart, "threshold " + config.maxNorm(), new double[] {1, config.steps()},
                new double[] {config.maxNorm(), config.maxNorm()});
        if (clip != null) {
            clip.setLineColor(Color.BLACK);
            clip.setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }
}
