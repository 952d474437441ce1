package dev.autograd.nn.data;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The built-in image transforms, torchvision's everyday augmentations with seeded randomness: each works on one
 * image {@code [C, H, W]} or a batch {@code [N, C, H, W]} and draws sample {@code i}'s random choices from its
 * key {@code keys[i]} alone (see {@link Transform}).
 *
 * <pre>{@code
 * Transform augment = Transforms.compose(
 *         Transforms.randomCrop(28, 2),               // RandomCrop(28, padding=2)
 *         Transforms.randomHorizontalFlip(0.5),       // RandomHorizontalFlip(p=0.5)
 *         Transforms.normalize(new double[] {0.286}, new double[] {0.353}));
 * DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(42).transform(augment).build();
 * }</pre>
 *
 * <p>How the keys are used, which fixes every result: a random transform starts a SplitMix64 generator at the
 * sample's key and draws from it in the order its Javadoc gives, through {@link java.util.Random}'s specified
 * {@code nextDouble}, {@code nextInt(bound)} and {@code nextGaussian}; a composition gives each stage keys of
 * its own. The results are computed with tensor ops (pad, slice, index-select, where, add) with no per-pixel
 * loop in this package; they carry no gradient.
 */
public final class Transforms {

    private Transforms() {
    }

    /**
     * The stages one after the other, like torchvision's {@code Compose}; stage {@code j} gets keys derived from
     * the sample's key and {@code j}, so the stages' random choices are independent of one another.
     * {@code compose(a, b)} equals {@code a.andThen(b)}; nesting is not flattened, so
     * {@code compose(compose(a, b), c)} draws differently from {@code compose(a, b, c)}.
     *
     * @param stages at least one transform
     * @return the composition
     * @throws IllegalArgumentException when no stage is given
     * @throws NullPointerException     when a stage is null
     */
    public static Transform compose(Transform... stages) {
        Objects.requireNonNull(stages, "Transforms.compose: the stages are null");
        if (stages.length == 0) {
            throw new IllegalArgumentException("Transforms.compose: needs at least one stage");
        }
        for (int i = 0; i < stages.length; i++) {
            Objects.requireNonNull(stages[i], "Transforms.compose: stage " + i + " is null");
        }
        return new Compose(List.of(stages));
    }

    /**
     * Mirrors each image left to right (reverses the last axis) with probability {@code p}, like
     * torchvision's {@code RandomHorizontalFlip(p)}: the sample is flipped when the first {@code nextDouble()}
     * of its generator is below {@code p}.
     *
     * @param p the probability of a flip, in {@code [0, 1]} (0 never flips, 1 always)
     * @return the transform
     * @throws IllegalArgumentException when {@code p} is outside {@code [0, 1]} or NaN
     */
    public static Transform randomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: the probability p must be in [0, 1], got " + p);
        }
        return new RandomHorizontalFlip(p);
    }

    /**
     * A random {@code size x size} window of each image after zero padding of {@code padding} pixels on every
     * side, like torchvision's {@code RandomCrop(size, padding=padding)}.
     *
     * @param size    the side of the output, at least 1
     * @param padding the zeros added on each side first, at least 0
     * @return the transform
     * @throws IllegalArgumentException when the size is below 1 or the padding negative
     * @see #randomCrop(int, int, int)
     */
    public static Transform randomCrop(int size, int padding) {
        return randomCrop(size, size, padding);
    }

    /**
     * A random {@code height x width} window of each image after zero padding of {@code padding} pixels on
     * every side, like torchvision's {@code RandomCrop((height, width), padding=padding)}: with the padded
     * image {@code Hp x Wp}, the window's top row is {@code nextInt(Hp - height + 1)} and then its left column
     * {@code nextInt(Wp - width + 1)} of the sample's generator. With {@code height = H}, {@code width = W} it
     * shifts each image by up to {@code padding} pixels each way.
     *
     * @param height  the rows of the output, at least 1
     * @param width   the columns of the output, at least 1
     * @param padding the zeros added on each side first, at least 0
     * @return the transform; applied to an image whose padded size is smaller than the window it throws
     *         {@code IllegalArgumentException}
     * @throws IllegalArgumentException when a size is below 1 or the padding negative
     */
    public static Transform randomCrop(int height, int width, int padding) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("RandomCrop: the output size must be at least 1 x 1, got " + height + " x "
                    + width);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCrop: the padding must be >= 0, got " + padding);
        }
        return new RandomCrop(height, width, padding);
    }

    /**
     * Moves each image by a random whole number of pixels, filling with zeros, like torchvision's
     * {@code RandomAffine(degrees=0, translate=(a, b))} without rotation or scaling: the horizontal shift
     * {@code dx} is uniform over the integers from {@code -floor(a * W)} to {@code floor(a * W)} and the vertical
     * {@code dy} over {@code -floor(b * H)} to {@code floor(b * H)} (torchvision rounds a continuous draw, so its
     * extreme shifts are half as likely; sub-pixel shifts, which need interpolation, are not offered). A
     * positive {@code dx} moves the content right, a positive {@code dy} down: {@code out[y][x] =
     * in[y - dy][x - dx]}, 0 where that is outside. {@code dx} is drawn first.
     *
     * @param maxFractionHorizontal {@code a}, the largest horizontal shift as a fraction of the width, in [0, 1]
     * @param maxFractionVertical   {@code b}, the largest vertical shift as a fraction of the height, in [0, 1]
     * @return the transform
     * @throws IllegalArgumentException when a fraction is outside {@code [0, 1]} or NaN
     */
    public static Transform randomTranslate(double maxFractionHorizontal, double maxFractionVertical) {
        if (!(maxFractionHorizontal >= 0 && maxFractionHorizontal <= 1 && maxFractionVertical >= 0
                && maxFractionVertical <= 1)) {
            throw new IllegalArgumentException("RandomTranslate: the largest shifts are fractions of the image in [0, 1],"
                    + " got horizontal " + maxFractionHorizontal + " and vertical " + maxFractionVertical);
        }
        return new RandomShift("RandomTranslate", -1, -1, maxFractionHorizontal, maxFractionVertical);
    }

    /**
     * Moves each image by a random whole number of pixels, filling with zeros: {@code dx} uniform over
     * {@code -maxHorizontal..maxHorizontal}, then {@code dy} over {@code -maxVertical..maxVertical}, with the
     * conventions of {@link #randomTranslate}.
     *
     * @param maxHorizontal the largest horizontal shift in pixels, at least 0 and at most the image's width
     * @param maxVertical   the largest vertical shift in pixels, at least 0 and at most the image's height
     * @return the transform; applied to an image smaller than the shifts it throws
     *         {@code IllegalArgumentException}
     * @throws IllegalArgumentException when a shift is negative
     */
    public static Transform randomShift(int maxHorizontal, int maxVertical) {
        if (maxHorizontal < 0 || maxVertical < 0) {
            throw new IllegalArgumentException("RandomShift: the largest shifts must be >= 0 pixels, got horizontal "
                    + maxHorizontal + " and vertical " + maxVertical);
        }
        return new RandomShift("RandomShift", maxHorizontal, maxVertical, 0, 0);
    }

    /**
     * Adds Gaussian noise of standard deviation {@code std} to every pixel: {@code x + std * z} with {@code z}
     * filled by {@code Tensor.randn} from the sample's generator, in the input's dtype. The result is not
     * clipped (normalised data has no fixed range); chain {@code (x, k) -> x.clamp(0, 1)} for pixels in
     * {@code [0, 1]}.
     *
     * @param std the standard deviation, finite and at least 0 (0 returns the input)
     * @return the transform
     * @throws IllegalArgumentException when {@code std} is negative, infinite or NaN
     */
    public static Transform gaussianNoise(double std) {
        if (!(std >= 0 && std < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("GaussianNoise: the standard deviation must be finite and >= 0, got " + std);
        }
        return new GaussianNoise(std);
    }

    /**
     * Per-channel standardisation, like torchvision's {@code Normalize(mean, std)}:
     * {@code out[c] = (x[c] - mean[c]) / std[c]}, computed in the input's dtype. Deterministic (the keys are
     * not used).
     *
     * @param mean one value per channel, finite
     * @param std  one value per channel, finite and positive
     * @return the transform; applied to an image with another number of channels it throws
     *         {@code IllegalArgumentException}
     * @throws IllegalArgumentException when the arrays are empty or of different lengths, or a value is not
     *                                  finite or a standard deviation not positive
     */
    public static Transform normalize(double[] mean, double[] std) {
        Objects.requireNonNull(mean, "Normalize: mean is null");
        Objects.requireNonNull(std, "Normalize: std is null");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: needs one mean and one std per channel, got " + mean.length
                    + " mean" + (mean.length == 1 ? "" : "s") + " and " + std.length + " std" + (std.length == 1 ? "" : "s"));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Double.isFinite(mean[c]) || !(std[c] > 0 && std[c] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("Normalize: channel " + c + " has mean " + mean[c] + " and std " + std[c]
                        + "; the mean must be finite and the std finite and > 0");
            }
        }
        return new Normalize(mean.clone(), std.clone());
    }

    /**
     * The keys {@link DataLoader} gives its transforms: sample {@code indices[i]} of epoch {@code epoch} of a
     * loader seeded with {@code seed} gets {@code keys[i]}, a SplitMix64 mix of the three numbers. With it, the
     * loader's augmentation of any sample can be reproduced outside the loader:
     * {@code transform.apply(dataset.get(i).features(), Transforms.sampleKeys(seed, epoch, i))}.
     *
     * @param seed    the loader's seed
     * @param epoch   the epoch
     * @param indices the samples' positions in the data set
     * @return one key per index
     */
    public static long[] sampleKeys(long seed, int epoch, int... indices) {
        Objects.requireNonNull(indices, "Transforms.sampleKeys: indices is null");
        long[] keys = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            keys[i] = ImageTransform.sampleKey(seed, epoch, indices[i]);
        }
        return keys;
    }

    /** The stages in order, each with its own keys. */
    static final class Compose implements Transform {
        private final List<Transform> stages;

        Compose(List<Transform> stages) {
            this.stages = stages;
        }

        @Override
        public Tensor apply(Tensor x, long... keys) {
            Objects.requireNonNull(keys, "Compose: the keys are null");
            Tensor out = x;
            for (int j = 0; j < stages.size(); j++) {
                out = stages.get(j).apply(out, ImageTransform.stageKeys(keys, j));
            }
            return out;
        }

        @Override
        public String toString() {
            List<String> names = new ArrayList<>();
            stages.forEach(s -> names.add(s.toString()));
            return "Compose(" + String.join(", ", names) + ")";
        }
    }

    /** Flips a sample when its first draw is below p: one index-select of the batch, one where. */
    private static final class RandomHorizontalFlip extends ImageTransform {
        private final double p;

        RandomHorizontalFlip(double p) {
            super("RandomHorizontalFlip");
            this.p = p;
        }

        @Override
        Tensor applyToBatch(Tensor batch, long[] keys) {
            int n = keys.length;
            double[] flip = new double[n];
            int flips = 0;
            for (int i = 0; i < n; i++) {
                if (new KeyedRandom(keys[i]).nextDouble() < p) {
                    flip[i] = 1;
                    flips++;
                }
            }
            if (flips == 0) {
                return batch;
            }
            int width = batch.size(3);
            int[] reversed = new int[width];
            for (int j = 0; j < width; j++) {
                reversed[j] = width - 1 - j;
            }
            Tensor flipped = batch.indexSelect(3, reversed);
            return flips == n ? flipped : Tensor.where(Tensor.of(flip, n, 1, 1, 1).to(batch.dtype()), flipped, batch);
        }

        @Override
        public String toString() {
            return "RandomHorizontalFlip(p=" + p + ")";
        }
    }

    /** Pads the batch once, then copies each sample's window. */
    private static final class RandomCrop extends ImageTransform {
        private final int height;
        private final int width;
        private final int padding;

        RandomCrop(int height, int width, int padding) {
            super("RandomCrop");
            this.height = height;
            this.width = width;
            this.padding = padding;
        }

        @Override
        Tensor applyToBatch(Tensor batch, long[] keys) {
            long paddedH = batch.size(2) + 2L * padding;
            long paddedW = batch.size(3) + 2L * padding;
            if (height > paddedH || width > paddedW) {
                throw new IllegalArgumentException("RandomCrop: a " + height + " x " + width + " crop does not fit a "
                        + batch.size(2) + " x " + batch.size(3) + " image padded by " + padding + " (" + paddedH + " x "
                        + paddedW + "); crop smaller or pad more");
            }
            if (paddedH > Integer.MAX_VALUE || paddedW > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RandomCrop: padding " + padding + " makes the " + batch.size(2) + " x "
                        + batch.size(3) + " image " + paddedH + " x " + paddedW + ", more than an array can hold");
            }
            int[] tops = new int[keys.length];
            int[] lefts = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                KeyedRandom random = new KeyedRandom(keys[i]);
                tops[i] = random.nextInt((int) paddedH - height + 1);
                lefts[i] = random.nextInt((int) paddedW - width + 1);
            }
            Tensor padded = padding == 0 ? batch : batch.pad(new int[] {padding, padding, padding, padding}, 0);
            return cropEach(padded, tops, lefts, height, width);
        }

        @Override
        public String toString() {
            return "RandomCrop(" + height + " x " + width + ", padding=" + padding + ")";
        }
    }

    /** A shift by (dx, dy) is a crop of the image padded by the largest shifts, at (maxY - dy, maxX - dx). */
    private static final class RandomShift extends ImageTransform {
        private final int pixelsX;
        private final int pixelsY;
        private final double fractionX;
        private final double fractionY;

        /** Pixels when {@code pixelsX >= 0}, else fractions of the image. */
        RandomShift(String name, int pixelsX, int pixelsY, double fractionX, double fractionY) {
            super(name);
            this.pixelsX = pixelsX;
            this.pixelsY = pixelsY;
            this.fractionX = fractionX;
            this.fractionY = fractionY;
        }

        @Override
        Tensor applyToBatch(Tensor batch, long[] keys) {
            int h = batch.size(2);
            int w = batch.size(3);
            int maxX = pixelsX >= 0 ? pixelsX : (int) Math.floor(fractionX * w);
            int maxY = pixelsY >= 0 ? pixelsY : (int) Math.floor(fractionY * h);
            if (maxX > w || maxY > h || 2L * maxX + 1 > Integer.MAX_VALUE || 2L * maxY + 1 > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name() + ": shifts of up to " + maxX + " pixels horizontally and " + maxY
                        + " vertically do not fit a " + h + " x " + w + " image; a shift larger than the image leaves"
                        + " nothing of it");
            }
            int[] tops = new int[keys.length];
            int[] lefts = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                KeyedRandom random = new KeyedRandom(keys[i]);
                int dx = random.nextInt(2 * maxX + 1) - maxX;
                int dy = random.nextInt(2 * maxY + 1) - maxY;
                tops[i] = maxY - dy;
                lefts[i] = maxX - dx;
            }
            Tensor padded = maxX == 0 && maxY == 0 ? batch : batch.pad(new int[] {maxX, maxX, maxY, maxY}, 0);
            return cropEach(padded, tops, lefts, h, w);
        }

        @Override
        public String toString() {
            return pixelsX >= 0 ? "RandomShift(horizontal=" + pixelsX + " px, vertical=" + pixelsY + " px)"
                    : "RandomTranslate(horizontal=" + fractionX + ", vertical=" + fractionY + ")";
        }
    }

    /** Noise filled per sample from its generator, then one multiply and one add over the batch. */
    private static final class GaussianNoise extends ImageTransform {
        private final double std;

        GaussianNoise(double std) {
            super("GaussianNoise");
            this.std = std;
        }

        @Override
        Tensor applyToBatch(Tensor batch, long[] keys) {
            if (std == 0 || keys.length == 0) {
                return batch;
            }
            int[] one = batch.shape();
            one[0] = 1;
            DType dtype = batch.dtype();
            List<Tensor> noise = new ArrayList<>(keys.length);
            for (long key : keys) {
                noise.add(Tensor.randn(new KeyedRandom(key), dtype, one));
            }
            Tensor z = noise.size() == 1 ? noise.get(0) : Tensor.concat(noise, 0);
            return batch.add(z.mul(std));
        }

        @Override
        public String toString() {
            return "GaussianNoise(std=" + std + ")";
        }
    }

    /** (x - mean[c]) / std[c] with [C, 1, 1] tensors that broadcast over the batch and the pixels. */
    private static final class Normalize extends ImageTransform {
        private final double[] mean;
        private final double[] std;

        Normalize(double[] mean, double[] std) {
            super("Normalize");
            this.mean = mean;
            this.std = std;
        }

        @Override
        Tensor applyToBatch(Tensor batch, long[] keys) {
            int channels = batch.size(1);
            if (channels != mean.length) {
                throw new IllegalArgumentException("Normalize: " + mean.length + " mean/std value" + (mean.length == 1 ? "" : "s")
                        + " for images of " + channels + " channel" + (channels == 1 ? "" : "s") + " (shape "
                        + Arrays.toString(batch.shape()) + "); give one per channel");
            }
            Tensor m = Tensor.of(mean, channels, 1, 1).to(batch.dtype());
            Tensor s = Tensor.of(std, channels, 1, 1).to(batch.dtype());
            return batch.sub(m).div(s);
        }

        @Override
        public String toString() {
            return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
        }
    }
}
