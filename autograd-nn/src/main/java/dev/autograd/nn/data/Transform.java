package dev.autograd.nn.data;

import dev.autograd.Tensor;

/**
 * A data-augmentation or preprocessing step on images, like a torchvision transform, but with its randomness
 * passed in: every random choice it makes for a sample (flip or not, where to crop, the noise) is a function of
 * that sample's <em>key</em>, a {@code long}. The same image and key always give the same result, and a batch
 * gives, sample for sample, exactly what each image gives alone with its key. {@link DataLoader} derives the
 * keys from its seed, the epoch and each sample's index ({@link Transforms#sampleKeys}), so an epoch's
 * augmentation is reproducible whatever the batch size and changes from epoch to epoch.
 *
 * <p>The built-in transforms come from {@link Transforms} and chain with {@link Transforms#compose} or
 * {@link #andThen}:
 *
 * <pre>{@code
 * Transform augment = Transforms.compose(Transforms.randomCrop(28, 2), Transforms.randomHorizontalFlip(0.5));
 * Tensor out = augment.apply(image, 7L);            // one image [C, H, W], key 7
 * Tensor outs = augment.apply(batch, keys);         // [N, C, H, W], one key per sample
 * }</pre>
 *
 * <p>Transforms prepare data: they are not recorded for backward, and the built-in ones refuse an input that
 * requires a gradient. A deterministic step of one's own is a lambda that ignores the keys:
 * {@code (x, keys) -> x.clamp(0, 1)}.
 */
@FunctionalInterface
public interface Transform {

    /**
     * Transforms one image or a batch.
     *
     * @param x    one image {@code [C, H, W]} (then exactly one key) or a batch {@code [N, C, H, W]} (then
     *             {@code N} keys, key {@code i} for sample {@code i})
     * @param keys the samples' keys, which fix every random choice
     * @return the transformed image or batch (the spatial size may change, e.g. for a crop)
     * @throws IllegalArgumentException when the rank is not 3 or 4, the number of keys does not match the number
     *                                  of samples, the input requires grad, or the input does not fit the
     *                                  transform's settings (the message names the transform)
     */
    Tensor apply(Tensor x, long... keys);

    /**
     * This transform, then {@code next}: the same as {@code Transforms.compose(this, next)}.
     *
     * @param next the step applied to this one's output
     * @return the chained transform
     * @throws NullPointerException when {@code next} is null
     */
    default Transform andThen(Transform next) {
        return Transforms.compose(this, next);
    }
}
