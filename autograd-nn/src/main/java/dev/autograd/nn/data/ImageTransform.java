package dev.autograd.nn.data;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The common part of the built-in transforms: the checks of the input and the keys, the no-grad scope, and one
 * code path for images and batches (an image is a batch of one), which is what makes a batch's result equal,
 * sample for sample, to each image's alone. Also the key arithmetic and the keyed generator they draw from.
 */
abstract class ImageTransform implements Transform {

    /** SplitMix64's increment, {@code 2^64 / phi} rounded to odd. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** A second odd constant, so that the index step of {@link #sampleKey} is not the epoch step again. */
    private static final long INDEX_GAMMA = 0xD1B54A32D192ED03L;

    private final String name;

    ImageTransform(String name) {
        this.name = name;
    }

    @Override
    public final Tensor apply(Tensor x, long... keys) {
        Objects.requireNonNull(x, () -> name + ": the input is null");
        Objects.requireNonNull(keys, () -> name + ": the keys are null");
        int rank = x.dim();
        if (rank != 3 && rank != 4) {
            throw new IllegalArgumentException(name + ": expects one image [C, H, W] or a batch [N, C, H, W], got shape "
                    + Arrays.toString(x.shape()) + " (rank " + rank + ")");
        }
        int samples = rank == 3 ? 1 : x.size(0);
        if (keys.length != samples) {
            throw new IllegalArgumentException(name + ": " + keys.length + " key" + (keys.length == 1 ? "" : "s") + " for "
                    + (rank == 3 ? "one image" : "a batch of " + samples) + " of shape " + Arrays.toString(x.shape())
                    + "; pass one key per sample");
        }
        if (x.requiresGrad()) {
            throw new IllegalArgumentException(name + ": the input requires grad, but transforms prepare data and are not"
                    + " recorded for backward; pass x.detach()");
        }
        try (var scope = Autograd.noGrad()) {
            Tensor out = applyToBatch(rank == 3 ? x.unsqueeze(0) : x, keys);
            return rank == 3 ? out.squeeze(0) : out;
        }
    }

    /**
     * The transform of a batch {@code [N, C, H, W]} whose sample {@code i} has key {@code keys[i]}; runs under
     * no-grad. Sample {@code i}'s result must depend on its image and key only.
     */
    abstract Tensor applyToBatch(Tensor batch, long[] keys);

    /** The transform's name for messages, e.g. "RandomCrop". */
    final String name() {
        return name;
    }

    /** SplitMix64's finaliser (Stafford's variant 13): a bijection of 64-bit values that mixes every bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key of sample {@code index} in epoch {@code epoch} of a loader seeded with {@code seed}. */
    static long sampleKey(long seed, int epoch, int index) {
        long h = mix64(seed + GOLDEN_GAMMA);
        h = mix64(h + GOLDEN_GAMMA * (epoch + 1L));
        return mix64(h + INDEX_GAMMA * (index + 1L));
    }

    /** The keys of stage {@code stage} of a composition, one per sample: independent of the other stages'. */
    static long[] stageKeys(long[] keys, int stage) {
        long[] out = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = mix64(keys[i] + GOLDEN_GAMMA * (stage + 1L));
        }
        return out;
    }

    /**
     * The {@code h x w} window of each sample of {@code batch} at row {@code tops[i]} and column {@code lefts[i]},
     * stacked: one copy per sample (a loop over samples, not pixels).
     */
    static Tensor cropEach(Tensor batch, int[] tops, int[] lefts, int h, int w) {
        if (tops.length == 0) {
            return batch.slice(2, 0, h, 1).slice(3, 0, w, 1);
        }
        List<Tensor> crops = new ArrayList<>(tops.length);
        for (int i = 0; i < tops.length; i++) {
            crops.add(batch.slice(0, i, i + 1, 1).slice(2, tops[i], tops[i] + h, 1).slice(3, lefts[i], lefts[i] + w, 1));
        }
        return crops.size() == 1 ? crops.get(0) : Tensor.concat(crops, 0);
    }

    /**
     * The generator a transform draws a sample's random choices from: SplitMix64 started at the key, behind
     * {@link Random}'s interface so that {@code Tensor.randn} can fill noise from it. {@code Random} specifies how
     * {@code nextDouble}, {@code nextInt(bound)} and {@code nextGaussian} use {@link #next}, so the draws are the
     * same on every JDK; only {@code next} and {@code nextLong} are replaced, because {@code Random}'s own 48-bit
     * state would throw away 16 bits of every key.
     */
    static final class KeyedRandom extends Random {
        private static final long serialVersionUID = 1L;

        private long state;

        KeyedRandom(long key) {
            super(0L);
            this.state = key;
        }

        @Override
        protected int next(int bits) {
            return (int) (nextLong() >>> (64 - bits));
        }

        @Override
        public long nextLong() {
            state += GOLDEN_GAMMA;
            return mix64(state);
        }
    }
}
