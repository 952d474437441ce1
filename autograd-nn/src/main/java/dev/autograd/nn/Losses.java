package dev.autograd.nn;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Loss functions, each composed from core ops (their gradients come from autograd, none is written by
 * hand). Shapes must match exactly where two tensors are compared: a loss never broadcasts silently
 * ({@code [N]} against {@code [N, 1]} would otherwise give an {@code [N, N]} matrix and a wrong loss).
 * Every loss returns a 0-d tensor unless called with {@link Reduction#NONE}.
 */
public final class Losses {

    /**
     * The bound that {@link #binaryCrossEntropy} clamps FLOAT64 probabilities to, {@code [eps, 1 - eps]}, so
     * that {@code log} stays finite: 1e-12, a loss of at most about 27.6 per element.
     */
    public static final double BCE_EPSILON_FLOAT64 = 1e-12;

    /**
     * The FLOAT32 bound of {@link #binaryCrossEntropy}: 1e-7 ({@code 1 - 1e-12} rounds to 1 in float32).
     */
    public static final double BCE_EPSILON_FLOAT32 = 1e-7;

    private Losses() {
    }

    // ---------------------------------------------------------------- regression

    /**
     * Mean squared error, {@code (1/n) sum_i (yhat_i - y_i)^2} over all elements.
     *
     * @param predictions {@code yhat}, any shape
     * @param targets     {@code y}, the same shape and dtype
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Tensor mse(Tensor predictions, Tensor targets) {
        return mse(predictions, targets, Reduction.MEAN);
    }

    /**
     * Squared error {@code (yhat_i - y_i)^2} with an explicit reduction: {@code MEAN} (PyTorch's default),
     * {@code SUM}, or {@code HALF_SUM}, the {@code E = 1/2 sum (y - yhat)^2} of the classic notes whose
     * gradient is {@code yhat - y}.
     *
     * @param predictions {@code yhat}, any shape
     * @param targets     {@code y}, the same shape and dtype
     * @param reduction   how to reduce
     * @return the reduced loss
     */
    public static Tensor mse(Tensor predictions, Tensor targets, Reduction reduction) {
        sameShape("mse", predictions, targets);
        Tensor d = predictions.sub(targets);
        return reduction.apply(d.mul(d));
    }

    /**
     * Mean absolute error, {@code (1/n) sum_i |yhat_i - y_i|}.
     *
     * @param predictions {@code yhat}, any shape
     * @param targets     {@code y}, the same shape and dtype
     * @return a 0-d tensor
     */
    public static Tensor l1(Tensor predictions, Tensor targets) {
        return l1(predictions, targets, Reduction.MEAN);
    }

    /**
     * Absolute error {@code |yhat_i - y_i|} with an explicit reduction. Its derivative is
     * {@code sign(yhat - y)} (0 where they are equal).
     *
     * @param predictions {@code yhat}
     * @param targets     {@code y}, the same shape
     * @param reduction   how to reduce
     * @return the reduced loss
     */
    public static Tensor l1(Tensor predictions, Tensor targets, Reduction reduction) {
        sameShape("l1", predictions, targets);
        return reduction.apply(predictions.sub(targets).abs());
    }

    /**
     * The Huber loss (Huber 1964), PyTorch's {@code HuberLoss}, mean over elements: with
     * {@code d = yhat - y}, {@code 1/2 d^2} where {@code |d| < delta} and {@code delta (|d| - delta/2)}
     * elsewhere. Quadratic near 0, linear in the tails, so outliers pull with at most {@code delta}.
     *
     * @param predictions {@code yhat}
     * @param targets     {@code y}, the same shape
     * @param delta       the threshold between the two regimes, positive
     * @return a 0-d tensor
     */
    public static Tensor huber(Tensor predictions, Tensor targets, double delta) {
        return huber(predictions, targets, delta, Reduction.MEAN);
    }

    /**
     * The Huber loss with an explicit reduction; see {@link #huber(Tensor, Tensor, double)}.
     *
     * @param predictions {@code yhat}
     * @param targets     {@code y}, the same shape
     * @param delta       the threshold, positive
     * @param reduction   how to reduce
     * @return the reduced loss
     */
    public static Tensor huber(Tensor predictions, Tensor targets, double delta, Reduction reduction) {
        sameShape("huber", predictions, targets);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huber: delta must be positive, got " + delta);
        }
        Tensor d = predictions.sub(targets);
        Tensor abs = d.abs();
        Tensor quadratic = d.mul(d).mul(0.5);
        Tensor linear = abs.sub(delta / 2).mul(delta);
        return reduction.apply(Tensor.where(abs.lt(delta), quadratic, linear));
    }

    // ---------------------------------------------------------------- classification

    /**
     * Cross-entropy of logits against class indices, mean over the batch:
     * {@code -(1/N) sum_n log softmax(z_n)[t_n]}, computed with {@code logSoftmax} (stable for logits in the
     * thousands). Its gradient with respect to the logits is {@code (softmax(z_n) - onehot(t_n)) / N}.
     *
     * @param logits  {@code [N, C]} unnormalised scores
     * @param targets {@code N} class indices in {@code [0, C)}
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the shapes do not fit or a target is out of range
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return crossEntropy(logits, targets, 0, Reduction.MEAN);
    }

    /**
     * Cross-entropy of logits against class indices held in a tensor, as PyTorch's
     * {@code cross_entropy(logits, targets)} with a {@code [N]} tensor of class indices: the same loss and
     * gradient as {@link #crossEntropy(Tensor, int[])}, mean over the batch. The targets carry no gradient;
     * their dtype does not matter, but each value must be a whole number.
     *
     * @param logits  {@code [N, C]} unnormalised scores
     * @param targets {@code [N]} class indices in {@code [0, C)}, integer-valued
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the targets are not a 1-d tensor of {@code N} whole numbers in
     *                                  {@code [0, C)} (class probabilities as targets are not supported)
     * @throws NullPointerException     when an argument is null
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        Objects.requireNonNull(logits, "crossEntropy: the logits are null");
        Objects.requireNonNull(targets, "crossEntropy: the targets are null");
        int[] ts = targets.shape();
        if (ts.length != 1) {
            throw new IllegalArgumentException("crossEntropy: targets must be a 1-d tensor of class indices, one per"
                    + " row of the logits " + Arrays.toString(logits.shape()) + ", got shape " + Arrays.toString(ts)
                    + (ts.length == 2 && Arrays.equals(ts, logits.shape())
                            ? "; class probabilities (or one-hot rows) as targets are not supported: pass argmax(1)"
                            : ""));
        }
        double[] values = targets.toDoubleArray();
        int[] indices = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) { // NaN fails the first test, infinities the second
                throw new IllegalArgumentException("crossEntropy: target " + v + " at position " + i
                        + " is not a class index (a whole number in [0, C)); targets hold class indices, not scores");
            }
            indices[i] = (int) v;
        }
        return crossEntropy(logits, indices);
    }

    /**
     * Cross-entropy with label smoothing (Szegedy et al. 2016), as PyTorch's {@code label_smoothing}: the
     * target distribution is {@code (1 - s) onehot(t) + s / C}, so the per-sample loss is
     * {@code -(1 - s) log p[t] - (s / C) sum_c log p[c]}; mean over the batch.
     *
     * @param logits         {@code [N, C]}
     * @param targets        {@code N} class indices
     * @param labelSmoothing {@code s} in {@code [0, 1]}
     * @return a 0-d tensor
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, double labelSmoothing) {
        return crossEntropy(logits, targets, labelSmoothing, Reduction.MEAN);
    }

    /**
     * Cross-entropy with label smoothing and an explicit reduction over the batch ({@code NONE} gives the
     * {@code [N]} per-sample losses).
     *
     * @param logits         {@code [N, C]}
     * @param targets        {@code N} class indices
     * @param labelSmoothing {@code s} in {@code [0, 1]}
     * @param reduction      how to reduce over the batch
     * @return the reduced loss
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, double labelSmoothing, Reduction reduction) {
        checkClassification("crossEntropy", logits, targets);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Tensor logProbs = logits.logSoftmax(1);
        Tensor perSample = picked(logProbs, targets).neg();
        if (labelSmoothing > 0) {
            int classes = logits.shape()[1];
            Tensor uniform = logProbs.sum(1, false).mul(-labelSmoothing / classes);
            perSample = perSample.mul(1 - labelSmoothing).add(uniform);
        }
        return reduction.apply(perSample);
    }

    /**
     * Negative log-likelihood of log-probabilities (e.g. the output of {@code logSoftmax(1)}) against class
     * indices, mean over the batch: {@code -(1/N) sum_n logProbs[n, t_n]}.
     *
     * @param logProbs {@code [N, C]} log-probabilities
     * @param targets  {@code N} class indices in {@code [0, C)}
     * @return a 0-d tensor
     */
    public static Tensor nll(Tensor logProbs, int[] targets) {
        return nll(logProbs, targets, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood with an explicit reduction over the batch.
     *
     * @param logProbs  {@code [N, C]} log-probabilities
     * @param targets   {@code N} class indices
     * @param reduction how to reduce over the batch
     * @return the reduced loss
     */
    public static Tensor nll(Tensor logProbs, int[] targets, Reduction reduction) {
        checkClassification("nll", logProbs, targets);
        return reduction.apply(picked(logProbs, targets).neg());
    }

    /**
     * Binary cross-entropy of probabilities, mean over elements:
     * {@code -(1/n) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]}. The probabilities are first clamped to
     * {@code [eps, 1 - eps]} ({@link #BCE_EPSILON_FLOAT64}, {@link #BCE_EPSILON_FLOAT32}, or for FLOAT16 and
     * BFLOAT16 their spacing below 1, 2^-11 and 2^-8) so that a saturated sigmoid gives a large finite loss instead of infinity; beyond the clamp the gradient is 0.
     * Prefer {@link #binaryCrossEntropyWithLogits}, which needs no clamp.
     *
     * @param probs   predicted probabilities in {@code [0, 1]}
     * @param targets labels in {@code [0, 1]}, the same shape
     * @return a 0-d tensor
     */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor targets) {
        return binaryCrossEntropy(probs, targets, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of probabilities with an explicit reduction; see
     * {@link #binaryCrossEntropy(Tensor, Tensor)}.
     *
     * @param probs     predicted probabilities
     * @param targets   labels, the same shape
     * @param reduction how to reduce
     * @return the reduced loss
     */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor targets, Reduction reduction) {
        sameShape("binaryCrossEntropy", probs, targets);
        inUnitInterval("binaryCrossEntropy", "probabilities", probs,
                "; for scores that are not probabilities use binaryCrossEntropyWithLogits");
        inUnitInterval("binaryCrossEntropy", "targets", targets, "");
        double eps = switch (probs.dtype()) {
            case FLOAT64 -> BCE_EPSILON_FLOAT64;
            case FLOAT32 -> BCE_EPSILON_FLOAT32;
            // The half formats' spacing just below 1: 1 - eps must stay below 1, or log(1 - p) is -infinity.
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
        };
        Tensor p = probs.clamp(eps, 1 - eps);
        Tensor perElement = targets.mul(p.log()).add(targets.neg().add(1).mul(p.neg().add(1).log())).neg();
        return reduction.apply(perElement);
    }

    /**
     * Binary cross-entropy of logits {@code x} (the input of a sigmoid), mean over elements, computed stably
     * as {@code softplus(x) - x y = max(x, 0) - x y + log(1 + e^-|x|)}: it equals
     * {@code -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]} but never overflows, and its gradient is
     * exactly {@code sigmoid(x) - y} (core's {@code softplus} is a stable primitive whose derivative is the
     * sigmoid, which also avoids the kink of {@code max} and {@code |x|} at 0).
     *
     * @param logits  {@code x}, any shape
     * @param targets {@code y} in {@code [0, 1]}, the same shape
     * @return a 0-d tensor
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        return binaryCrossEntropyWithLogits(logits, targets, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of logits with an explicit reduction; see
     * {@link #binaryCrossEntropyWithLogits(Tensor, Tensor)}.
     *
     * @param logits    {@code x}
     * @param targets   {@code y}, the same shape
     * @param reduction how to reduce
     * @return the reduced loss
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction) {
        sameShape("binaryCrossEntropyWithLogits", logits, targets);
        inUnitInterval("binaryCrossEntropyWithLogits", "targets", targets, "");
        return reduction.apply(logits.softplus().sub(logits.mul(targets)));
    }

    // ---------------------------------------------------------------- regularisation

    /**
     * The L2 penalty {@code (lambda / 2) sum_p ||p||^2} over the given parameters, to add to a loss. Its
     * gradient is {@code lambda p}, the same as {@link dev.autograd.nn.optim.SGD}'s {@code weightDecay =
     * lambda}.
     *
     * @param parameters the tensors to penalise (often only the weights, not the biases)
     * @param lambda     the strength, at least 0
     * @return a 0-d tensor (FLOAT64 zero when there are no parameters)
     */
    public static Tensor l2Penalty(Iterable<Tensor> parameters, double lambda) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("l2Penalty: lambda must be >= 0, got " + lambda);
        }
        Tensor total = null;
        for (Tensor p : parameters) {
            Tensor sq = p.mul(p).sum();
            total = total == null ? sq : total.add(sq);
        }
        return total == null ? Tensor.scalar(0) : total.mul(lambda / 2);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code logProbs[n, targets[n]]} for each n, as {@code [N]}. */
    private static Tensor picked(Tensor logProbs, int[] targets) {
        double[] idx = new double[targets.length];
        for (int i = 0; i < targets.length; i++) {
            idx[i] = targets[i];
        }
        Tensor index = Tensor.of(idx, targets.length, 1);
        // Half formats count exactly only to 2048 (binary16) or 256 (bfloat16): their class indices stay FLOAT64.
        if (logProbs.dtype() == DType.FLOAT32) {
            index = index.to(DType.FLOAT32);
        }
        return logProbs.gather(1, index).reshape(targets.length);
    }

    private static void checkClassification(String op, Tensor scores, int[] targets) {
        int[] s = scores.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(op + ": expected scores [N, C], got shape " + Arrays.toString(s));
        }
        if (targets.length != s[0]) {
            throw new IllegalArgumentException(op + ": " + targets.length + " targets for a batch of " + s[0]
                    + " rows (scores " + Arrays.toString(s) + "); give one class index per row");
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || targets[i] >= s[1]) {
                throw new IllegalArgumentException(op + ": target " + targets[i] + " at position " + i
                        + " is not a class index in [0, " + s[1] + ")");
            }
        }
    }

    /**
     * Refuses values outside {@code [0, 1]} (NaN included): a probability of 2 or a label of 5 would give a
     * finite loss and gradient that mean nothing, as PyTorch's BCELoss also refuses.
     */
    private static void inUnitInterval(String op, String what, Tensor t, String hint) {
        double[] values = t.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new IllegalArgumentException(op + ": " + what + " must lie in [0, 1], but element " + i
                        + " (flat index, shape " + Arrays.toString(t.shape()) + ") is " + values[i] + hint);
            }
        }
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": predictions " + Arrays.toString(a.shape()) + " and targets "
                    + Arrays.toString(b.shape()) + " must have the same shape; reshape one of them (a loss never"
                    + " broadcasts, so [N] against [N, 1] is an error, not an [N, N] matrix)");
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": predictions are " + a.dtype() + " but targets are " + b.dtype()
                    + "; convert one with to(DType)");
        }
    }
}
