package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.AttentionMask;
import dev.autograd.nn.Embedding;
import dev.autograd.nn.GradClip;
import dev.autograd.nn.LayerNorm;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.Module;
import dev.autograd.nn.SinusoidalPositionalEncoding;
import dev.autograd.nn.TransformerEncoder;
import dev.autograd.nn.TransformerEncoderLayer;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.CosineAnnealingLR;
import dev.autograd.nn.optim.LRScheduler;
import dev.autograd.nn.optim.LinearWarmup;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * A small transformer encoder learns to sort sequences of digits, a task generated in code.
 *
 * <p><b>Task.</b> A sequence of 6 to 8 digits (0-9, padded to 8 with a padding token) goes in; at each
 * position {@code t} the model predicts the {@code t}-th smallest digit, so that reading the predictions in
 * order gives the sorted sequence. A sequence counts as right only when every one of its digits is.
 *
 * <p><b>Model.</b> Token embedding plus {@link SinusoidalPositionalEncoding}, a pre-norm
 * {@link TransformerEncoder} ({@link TransformerEncoderLayer}s with {@code dModel = 64}, 4 heads, feed-forward
 * width 128, GELU, a final layer norm), then a {@link Linear} classifier over the 10 digits at every
 * position. The padding positions are a key-padding mask ({@link AttentionMask#padding}): no position
 * attends to them, and the loss leaves them out. FLOAT32, no dropout (fresh data at every step cannot be
 * memorised).
 *
 * <p><b>Training.</b> Fresh random batches at every step; Adam with a linear warm-up and a cosine decay,
 * gradients clipped to norm 1. Every {@code evalEvery} steps it prints the mean training loss, the token and
 * sequence accuracy on a fixed validation set and the time, and it stops once the validation sequence
 * accuracy reaches {@code targetAccuracy}; then it measures the accuracy on fresh test sequences.
 *
 * <p><b>Pictures</b> (in {@code out/transformer-sort/}): {@code training.png}, the loss and the accuracies
 * against the step; {@code attention.png}, the attention weights of one head for one input as a heatmap,
 * rows the positions (labelled with the digit the model predicts there), columns the input tokens. The head
 * drawn is the one whose rows most often (over 500 validation sequences) put their largest weight on an input
 * token equal to the digit that belongs at that row's position; the score of every head is printed. A
 * readable head shows a permutation, each output position looking at "its" input digit.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.TransformerSort}
 */
public final class TransformerSort {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "transformer-sort");
    /** The loss and accuracy chart. */
    public static final String TRAINING_FILE = "training.png";
    /** The attention heatmap. */
    public static final String ATTENTION_FILE = "attention.png";
    /** Digits are the tokens 0-9; this token pads a sequence to the maximum length. */
    public static final int PAD = 10;
    /** The input of the attention picture: 8 digits, one repeated. */
    static final int[] PICTURE_INPUT = {5, 1, 8, 3, 9, 0, 3, 6};

    private TransformerSort() {
    }

    /**
     * The sizes.
     *
     * @param minLength      the shortest sequence, at least 1
     * @param maxLength      the longest (padded) sequence
     * @param dModel         the model width
     * @param heads          attention heads per layer
     * @param layers         encoder layers
     * @param feedForward    the feed-forward networks' hidden width
     * @param batchSize      sequences per step
     * @param maxSteps       the most training steps
     * @param warmupSteps    steps of the linear warm-up of the learning rate
     * @param learningRate   Adam's peak learning rate
     * @param evalEvery      steps between evaluations
     * @param validationSize sequences of the fixed validation set
     * @param testSize       fresh sequences of the final test
     * @param targetAccuracy the validation sequence accuracy that stops training, in {@code (0, 1]}
     * @param seed           seeds the weights and the data
     */
    public record Config(int minLength, int maxLength, int dModel, int heads, int layers, int feedForward, int batchSize,
                         int maxSteps, int warmupSteps, double learningRate, int evalEvery, int validationSize,
                         int testSize, double targetAccuracy, long seed) {

        /** Checks the values. */
        public Config {
            if (minLength < 1 || maxLength < minLength || dModel < 1 || heads < 1 || layers < 1 || feedForward < 1
                    || batchSize < 1 || maxSteps < 1 || warmupSteps < 1 || !(learningRate > 0) || evalEvery < 1
                    || validationSize < 1 || testSize < 1 || !(targetAccuracy > 0 && targetAccuracy <= 1)) {
                throw new IllegalArgumentException("TransformerSort: invalid configuration " + this);
            }
        }

        /**
         * @return lengths 6-8, dModel 64, 4 heads, 2 layers, feed-forward 128, batches of 64, at most 6000 steps
         *         (300 of warm-up) at learning rate 1e-3, evaluation every 100 steps on 2000 sequences, stop at
         *         99.5% validation sequence accuracy, test on 5000 fresh sequences, seed 1
         */
        public static Config defaults() {
            return new Config(6, 8, 64, 4, 2, 128, 64, 6000, 300, 1e-3, 100, 2000, 5000, 0.995, 1L);
        }
    }

    /**
     * One evaluation.
     *
     * @param step          the training step
     * @param loss          the mean training loss since the previous evaluation
     * @param tokenAccuracy the fraction of validation digits predicted right
     * @param sequenceAccuracy the fraction of validation sequences with every digit right
     * @param seconds       the training time so far
     */
    public record Point(int step, double loss, double tokenAccuracy, double sequenceAccuracy, double seconds) {
    }

    /**
     * What a run gives.
     *
     * @param history              every evaluation
     * @param testTokenAccuracy    the fraction of right digits on fresh test sequences
     * @param testSequenceAccuracy the fraction of fully right test sequences
     * @param steps                the training steps taken
     * @param seconds              the training time
     * @param pictureHead          {@code {layer, head}} of the attention picture
     * @param pictureHeadScore     that head's fraction of positions (of 500 validation sequences) whose largest
     *                             weight is on an input token equal to the digit that belongs at the position
     * @param files                the PNG files written
     */
    public record Result(List<Point> history, double testTokenAccuracy, double testSequenceAccuracy, int steps,
                         double seconds, int[] pictureHead, double pictureHeadScore, List<Path> files) {
    }

    /**
     * A batch of sequences: tokens {@code [N, maxLength]} (digits, then {@link #PAD}), lengths, and the sorted
     * digits (padding positions hold {@link #PAD}).
     *
     * @param tokens  the input, row-major
     * @param lengths the length of each sequence
     * @param sorted  the target, row-major
     * @param maxLength the padded length
     */
    record Batch(int[] tokens, int[] lengths, int[] sorted, int maxLength) {
        int size() {
            return lengths.length;
        }
    }

    /** The model: embedding + positions, encoder, per-position classifier. */
    static final class SortModel extends Module {
        private final Embedding embedding;
        private final SinusoidalPositionalEncoding positions;
        private final TransformerEncoder encoder;
        private final Linear classifier;

        SortModel(Config c, Random random) {
            embedding = registerModule("embedding", new Embedding(PAD + 1, c.dModel(), random));
            positions = registerModule("positions", new SinusoidalPositionalEncoding(c.maxLength(), c.dModel()));
            encoder = registerModule("encoder", new TransformerEncoder(() -> new TransformerEncoderLayer(c.dModel(), c.heads(),
                    c.feedForward(), 0.0, TransformerEncoderLayer.Activation.GELU, true, 1e-5, random), c.layers(),
                    new LayerNorm(c.dModel())));
            classifier = registerModule("classifier", new Linear(c.dModel(), 10, random));
        }

        /** The encoder's input: embeddings plus positions, {@code [N, L, dModel]}. */
        Tensor embed(Tensor tokens) {
            return positions.forward(embedding.forward(tokens));
        }

        /**
         * Logits {@code [N, L, 10]} for tokens {@code [N, L]}; the padding mask is read from the tokens.
         */
        @Override
        public Tensor forward(Tensor tokens) {
            return classifier.forward(encoder.forward(embed(tokens), null, paddingMask(tokens)));
        }

        TransformerEncoder encoder() {
            return encoder;
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
     * Trains, tests and draws.
     *
     * @param outputDir where to write the PNG files; created if needed
     * @param config    the sizes
     * @param out       where to print progress
     * @return the measurements and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        Random random = new Random(config.seed());
        SortModel model = new SortModel(config, random);
        model.to(DType.FLOAT32);
        out.printf(Locale.ROOT, "TransformerSort: sort %d-%d digits; %,d parameters, FLOAT32%n%s%n", config.minLength(),
                config.maxLength(), model.parameterCount(), model);
        Adam optimizer = new Adam(model.parameters(), config.learningRate());
        LRScheduler schedule = new LinearWarmup(new CosineAnnealingLR(optimizer,
                Math.max(1, config.maxSteps() - config.warmupSteps()), config.learningRate() / 20), config.warmupSteps(), 0.01);
        Random data = new Random(config.seed() + 1);
        Batch validation = batch(new Random(config.seed() + 2), config.validationSize(), config);

        List<Point> history = new ArrayList<>();
        long start = System.nanoTime();
        double lossSum = 0;
        int lossCount = 0;
        int step = 0;
        while (step < config.maxSteps()) {
            model.train();
            Batch b = batch(data, config.batchSize(), config);
            optimizer.zeroGrad();
            Tensor loss = loss(model.forward(tokens(b)), b);
            loss.backward();
            GradClip.clipGradNorm(model.parameters(), 1.0);
            optimizer.step();
            schedule.step();
            lossSum += loss.item();
            lossCount++;
            step++;
            if (step % config.evalEvery() == 0 || step == config.maxSteps()) {
                double[] acc = accuracy(model, validation);
                double seconds = (System.nanoTime() - start) / 1e9;
                Point p = new Point(step, lossSum / lossCount, acc[0], acc[1], seconds);
                history.add(p);
                out.printf(Locale.ROOT, "step %5d  loss %.4f  token accuracy %6.2f%%  sequence accuracy %6.2f%%"
                                + "  lr %.2e  %.1f s%n", step, p.loss(), 100 * p.tokenAccuracy(), 100 * p.sequenceAccuracy(),
                        optimizer.learningRate(), seconds);
                lossSum = 0;
                lossCount = 0;
                if (p.sequenceAccuracy() >= config.targetAccuracy()) {
                    out.printf(Locale.ROOT, "validation sequence accuracy %.2f%% >= %.2f%%: stop%n",
                            100 * p.sequenceAccuracy(), 100 * config.targetAccuracy());
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] test = accuracy(model, batch(new Random(config.seed() + 3), config.testSize(), config));
        out.printf(Locale.ROOT, "test on %d fresh sequences: token accuracy %.2f%%, sequence accuracy %.2f%% (%d steps, %.1f s)%n",
                config.testSize(), 100 * test[0], 100 * test[1], step, seconds);

        List<Path> files = new ArrayList<>();
        files.add(drawTraining(history, dir.resolve(TRAINING_FILE)));
        out.println("wrote " + files.get(0));
        // Which head looks at "the digit that belongs here"? Measured on validation sequences, drawn for one input.
        Batch sample = slice(validation, 0, Math.min(500, validation.size()));
        double[][] scores = headScores(model, sample);
        out.printf(Locale.ROOT, "per head, the fraction of positions whose largest attention weight is on an input digit"
                + " equal to the one that belongs there (%d validation sequences):%n", sample.size());
        int bestLayer = 0;
        int bestHead = 0;
        for (int l = 0; l < scores.length; l++) {
            StringBuilder line = new StringBuilder("  layer " + l + ":");
            for (int h = 0; h < scores[l].length; h++) {
                line.append(String.format(Locale.ROOT, "  head %d %5.1f%%", h, 100 * scores[l][h]));
                if (scores[l][h] > scores[bestLayer][bestHead]) {
                    bestLayer = l;
                    bestHead = h;
                }
            }
            out.println(line);
        }
        Picture picture = attentionPicture(model, config, bestLayer, bestHead);
        files.add(drawAttention(picture, dir.resolve(ATTENTION_FILE)));
        out.printf(Locale.ROOT, "wrote %s (layer %d, head %d, input %s: %d of %d rows look hardest at the digit that"
                        + " belongs there)%n", files.get(1), bestLayer, bestHead, digits(picture.input()),
                Math.round(picture.score() * picture.input().length), picture.input().length);
        return new Result(history, test[0], test[1], step, seconds, new int[] {bestLayer, bestHead},
                scores[bestLayer][bestHead], files);
    }

    // ------------------------------------------------------------------------------------ data

    /** {@code n} random sequences of lengths in {@code [minLength, maxLength]}, with their sorted digits. */
    static Batch batch(Random random, int n, Config c) {
        int len = c.maxLength();
        int[] tokens = new int[n * len];
        int[] sorted = new int[n * len];
        int[] lengths = new int[n];
        Arrays.fill(tokens, PAD);
        Arrays.fill(sorted, PAD);
        for (int i = 0; i < n; i++) {
            lengths[i] = c.minLength() + random.nextInt(c.maxLength() - c.minLength() + 1);
            int[] digits = new int[lengths[i]];
            for (int t = 0; t < digits.length; t++) {
                digits[t] = random.nextInt(10);
                tokens[i * len + t] = digits[t];
            }
            Arrays.sort(digits);
            System.arraycopy(digits, 0, sorted, i * len, digits.length);
        }
        return new Batch(tokens, lengths, sorted, len);
    }

    static Tensor tokens(Batch b) {
        double[] v = new double[b.tokens().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.tokens()[i];
        }
        return Tensor.of(v, b.size(), b.maxLength());
    }

    /** The key-padding mask {@code [N, L]}: the positions that hold {@link #PAD}. */
    static AttentionMask paddingMask(Tensor tokens) {
        return AttentionMask.ignore(tokens.eq(PAD));
    }

    /** Cross-entropy over the non-padding positions. */
    static Tensor loss(Tensor logits, Batch b) {
        int[] rows = new int[b.tokens().length];
        int[] targets = new int[rows.length];
        int count = 0;
        for (int i = 0; i < b.tokens().length; i++) {
            if (b.sorted()[i] != PAD) {
                rows[count] = i;
                targets[count] = b.sorted()[i];
                count++;
            }
        }
        Tensor flat = logits.reshape(-1, 10).indexSelect(0, Arrays.copyOf(rows, count));
        return Losses.crossEntropy(flat, Arrays.copyOf(targets, count));
    }

    /** The predicted digit at every position, row-major {@code [N * L]}. */
    static int[] predict(SortModel model, Batch b) {
        model.eval();
        try (var scope = Autograd.noGrad()) {
            double[] argmax = model.forward(tokens(b)).argmax(-1, false).toDoubleArray();
            int[] p = new int[argmax.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = (int) argmax[i];
            }
            return p;
        }
    }

    /** {@code {token accuracy, sequence accuracy}} over the non-padding positions. */
    static double[] accuracy(SortModel model, Batch b) {
        int right = 0;
        int total = 0;
        int rightSequences = 0;
        // In slices of 1000 sequences: the attention scores of one slice are [1000, heads, L, L].
        for (int from = 0; from < b.size(); from += 1000) {
            Batch part = slice(b, from, Math.min(b.size(), from + 1000));
            int[] p = predict(model, part);
            for (int i = 0; i < part.size(); i++) {
                boolean all = true;
                for (int t = 0; t < part.lengths()[i]; t++) {
                    boolean ok = p[i * b.maxLength() + t] == part.sorted()[i * b.maxLength() + t];
                    right += ok ? 1 : 0;
                    all &= ok;
                    total++;
                }
                rightSequences += all ? 1 : 0;
            }
        }
        return new double[] {(double) right / total, (double) rightSequences / b.size()};
    }

    private static Batch slice(Batch b, int from, int to) {
        int len = b.maxLength();
        return new Batch(Arrays.copyOfRange(b.tokens(), from * len, to * len), Arrays.copyOfRange(b.lengths(), from, to),
                Arrays.copyOfRange(b.sorted(), from * len, to * len), len);
    }

    // ------------------------------------------------------------------------------------ pictures

    private static Path drawTraining(List<Point> history, Path file) {
        XYChart chart = Charts.lineChart("Sorting digits with a transformer encoder", "training step", "loss", false);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(1, "validation accuracy (%)");
        double[] steps = history.stream().mapToDouble(Point::step).toArray();
        Charts.addLine(chart, "training loss (left)", steps, history.stream().mapToDouble(Point::loss).toArray());
        XYSeries token = Charts.addLine(chart, "token accuracy (right)", steps,
                history.stream().mapToDouble(p -> 100 * p.tokenAccuracy()).toArray());
        XYSeries sequence = Charts.addLine(chart, "sequence accuracy (right)", steps,
                history.stream().mapToDouble(p -> 100 * p.sequenceAccuracy()).toArray());
        token.setYAxisGroup(1);
        sequence.setYAxisGroup(1);
        return Charts.savePng(chart, file);
    }

    /**
     * The weights of one head for {@link #PICTURE_INPUT}.
     *
     * @param input     the input digits
     * @param predicted the model's digit at each position
     * @param weights   {@code [L][L]}: row = position, column = input token
     * @param layer     the layer drawn
     * @param head      the head drawn
     * @param score     the fraction of rows whose largest weight falls on a token equal to the sorted digit
     */
    record Picture(int[] input, int[] predicted, double[][] weights, int layer, int head, double score) {
    }

    /**
     * For every layer and head, the fraction of rows (non-padding positions of {@code b}) whose largest weight
     * falls on an input token equal to the digit that belongs at the row's position.
     *
     * @return {@code [layers][heads]}
     */
    static double[][] headScores(SortModel model, Batch b) {
        List<Tensor> weights;
        model.eval();
        try (var scope = Autograd.noGrad()) {
            Tensor t = tokens(b);
            weights = model.encoder().attentionWeights(model.embed(t), null, paddingMask(t), false);
        }
        int len = b.maxLength();
        double[][] scores = new double[weights.size()][];
        for (int l = 0; l < weights.size(); l++) {
            int heads = weights.get(l).size(1);
            double[] w = weights.get(l).toDoubleArray();          // [N, heads, L, L]
            scores[l] = new double[heads];
            for (int h = 0; h < heads; h++) {
                int hits = 0;
                int rows = 0;
                for (int n = 0; n < b.size(); n++) {
                    for (int i = 0; i < b.lengths()[n]; i++) {
                        int base = ((n * heads + h) * len + i) * len;
                        int argmax = 0;
                        for (int j = 1; j < b.lengths()[n]; j++) {
                            argmax = w[base + j] > w[base + argmax] ? j : argmax;
                        }
                        hits += b.tokens()[n * len + argmax] == b.sorted()[n * len + i] ? 1 : 0;
                        rows++;
                    }
                }
                scores[l][h] = (double) hits / rows;
            }
        }
        return scores;
    }

    /** The weights of head {@code (layer, head)} for {@link #PICTURE_INPUT}. */
    static Picture attentionPicture(SortModel model, Config c, int layer, int head) {
        int len = c.maxLength();
        int[] input = Arrays.copyOf(PICTURE_INPUT, Math.min(PICTURE_INPUT.length, len));
        int[] tokenRow = new int[len];
        Arrays.fill(tokenRow, PAD);
        System.arraycopy(input, 0, tokenRow, 0, input.length);
        int[] sortedRow = new int[len];
        Arrays.fill(sortedRow, PAD);
        int[] s = input.clone();
        Arrays.sort(s);
        System.arraycopy(s, 0, sortedRow, 0, s.length);
        Batch one = new Batch(tokenRow, new int[] {input.length}, sortedRow, len);
        int[] predicted = Arrays.copyOf(predict(model, one), input.length);
        Tensor weights;
        try (var scope = Autograd.noGrad()) {
            Tensor t = tokens(one);
            weights = model.encoder().attentionWeights(model.embed(t), null, paddingMask(t), false).get(layer);
        }
        double[][] w = new double[input.length][input.length];
        int hits = 0;
        for (int i = 0; i < input.length; i++) {
            int argmax = 0;
            for (int j = 0; j < input.length; j++) {
                w[i][j] = weights.get(0, head, i, j);
                argmax = w[i][j] > w[i][argmax] ? j : argmax;
            }
            hits += input[argmax] == s[i] ? 1 : 0;
        }
        return new Picture(input, predicted, w, layer, head, (double) hits / input.length);
    }

    /** A heatmap drawn with Java 2D: white (0) to dark blue (1), each cell's weight written in it. */
    static Path drawAttention(Picture p, Path file) {
        int n = p.input().length;
        int cell = 64;
        int left = 200;
        int top = 150;
        int width = left + n * cell + 150;
        int height = top + n * cell + 110;
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        Charts.centered(g, "Attention of layer " + p.layer() + ", head " + p.head() + " for input " + digits(p.input()), width / 2, 34);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        Charts.centered(g, "row: output position and the digit predicted there; column: input token it attends to", width / 2, 60);
        Charts.centered(g, "input token (key)", left + n * cell / 2, top - 50);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double w = p.weights()[i][j];
                g.setColor(shade(w));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(w > 0.5 ? Color.WHITE : Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                Charts.centered(g, String.format(Locale.ROOT, "%.2f", w), left + j * cell + cell / 2, top + i * cell + cell / 2 + 5);
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(left, top, n * cell, n * cell);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        for (int j = 0; j < n; j++) {
            Charts.centered(g, Integer.toString(p.input()[j]), left + j * cell + cell / 2, top - 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            Charts.centered(g, "pos " + j, left + j * cell + cell / 2, top - 6);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        }
        for (int i = 0; i < n; i++) {
            String label = "out " + i + ": " + p.predicted()[i];
            FontMetrics fm = g.getFontMetrics();
            g.drawString(label, left - 14 - fm.stringWidth(label), top + i * cell + cell / 2 + 6);
        }
        // The colour scale.
        int barX = left + n * cell + 40;
        for (int y = 0; y < n * cell; y++) {
            g.setColor(shade(1 - (double) y / (n * cell)));
            g.fillRect(barX, top + y, 24, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(barX, top, 24, n * cell);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("1", barX + 30, top + 10);
        g.drawString("0", barX + 30, top + n * cell);
        g.drawString("weight", barX - 6, top + n * cell + 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int[] sorted = p.input().clone();
        Arrays.sort(sorted);
        Charts.centered(g, "sorted: " + digits(sorted) + "    predicted: " + digits(p.predicted()), width / 2, top + n * cell + 50);
        Charts.centered(g, String.format(Locale.ROOT, "%d of %d rows look hardest at an input digit equal to the one that belongs"
                + " at their position", Math.round(p.score() * n), n), width / 2, top + n * cell + 76);
        g.dispose();
        return Charts.savePng(image, file);
    }

    private static Color shade(double w) {
        double t = Math.max(0, Math.min(1, w));
        // white -> dark blue
        return new Color((int) Math.round(255 - t * (255 - 8)), (int) Math.round(255 - t * (255 - 48)),
                (int) Math.round(255 - t * (255 - 107)));
    }

    private static String digits(int[] d) {
        StringBuilder sb = new StringBuilder();
        for (int v : d) {
            sb.append(sb.length() == 0 ? "" : " ").append(v);
        }
        return sb.toString();
    }
}
