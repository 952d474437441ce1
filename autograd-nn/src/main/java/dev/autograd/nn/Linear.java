package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * A fully connected layer, {@code y = x W^T + b}, like PyTorch's {@code nn.Linear}.
 *
 * <p>Shapes: input {@code [..., in]} (a single vector {@code [in]} or a batch {@code [N, in]}, or more
 * leading axes), weight {@code [out, in]}, bias {@code [out]}, output {@code [..., out]}. In the notation
 * of the classic backprop notes, {@code z = W a + b} for one column vector {@code a}; here the samples are
 * rows, hence the transpose.
 *
 * <p>Initialisation as in PyTorch: weight and bias drawn from {@code U(-1/sqrt(in), 1/sqrt(in))} (Kaiming
 * uniform with {@code a = sqrt(5)}); re-initialise with {@link Init} for another scheme.
 */
public final class Linear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    /**
     * A layer with fresh parameters drawn from {@code random}.
     *
     * @param inFeatures  the input size, at least 1
     * @param outFeatures the output size, at least 1
     * @param bias        whether to add a learned bias
     * @param random      the source of the initial values
     * @throws IllegalArgumentException when a size is not positive
     */
    public Linear(int inFeatures, int outFeatures, boolean bias, Random random) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt(inFeatures);
        registerParameter("weight", Init.uniform(Tensor.zeros(outFeatures, inFeatures), -bound, bound, random));
        if (bias) {
            registerParameter("bias", Init.uniform(Tensor.zeros(outFeatures), -bound, bound, random));
        }
    }

    /**
     * A layer with a bias.
     *
     * @param inFeatures  the input size
     * @param outFeatures the output size
     * @param random      the source of the initial values
     */
    public Linear(int inFeatures, int outFeatures, Random random) {
        this(inFeatures, outFeatures, true, random);
    }

    /**
     * {@code x W^T + b}.
     *
     * @param x {@code [..., in]}
     * @return {@code [..., out]}
     * @throws IllegalArgumentException when the last axis of {@code x} is not {@code in}
     */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length == 0 || s[s.length - 1] != inFeatures) {
            throw new IllegalArgumentException("Linear(in=" + inFeatures + ", out=" + outFeatures + "): input shape "
                    + Arrays.toString(s) + " must end in " + inFeatures + " (the input size)");
        }
        return x.linear(weight(), bias());
    }

    /** @return the weight {@code [out, in]} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** @return the bias {@code [out]}, or {@code null} for a layer without one */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /** @return the input size */
    public int inFeatures() {
        return inFeatures;
    }

    /** @return the output size */
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + hasBias;
    }
}
