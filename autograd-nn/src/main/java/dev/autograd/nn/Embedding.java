package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code dim}: row {@code i} of the weight is the
 * embedding of index {@code i}, {@code y = weight.indexSelect(0, ids)}. The gradient of a row is the sum of
 * the gradients of every position that looked it up. The weight is initialised from {@code N(0, 1)}, as in
 * PyTorch.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int dim;

    /**
     * A table with fresh vectors drawn from {@code random}.
     *
     * @param numEmbeddings the number of rows (vocabulary size), at least 1
     * @param dim           the size of each vector, at least 1
     * @param random        the source of the initial values
     */
    public Embedding(int numEmbeddings, int dim, Random random) {
        if (numEmbeddings < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + " x " + dim);
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        registerParameter("weight", Init.normal(Tensor.zeros(numEmbeddings, dim), 0, 1, random));
    }

    /**
     * Looks up the vectors of the indices held (as whole numbers) in {@code ids}.
     *
     * @param ids a tensor of any shape holding integers in {@code [0, numEmbeddings)}
     * @return {@code [ids..., dim]}
     * @throws IllegalArgumentException when a value is not a whole number in range
     */
    @Override
    public Tensor forward(Tensor ids) {
        double[] values = ids.toDoubleArray();
        int[] indices = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding(" + numEmbeddings + ", " + dim + "): id " + v
                        + " at flat position " + i + " is not a whole number in [0, " + numEmbeddings + ")");
            }
            indices[i] = (int) v;
        }
        int[] s = ids.shape();
        int[] out = Arrays.copyOf(s, s.length + 1);
        out[s.length] = dim;
        return lookup(indices).reshape(out);
    }

    /**
     * Looks up a sequence of indices.
     *
     * @param ids indices in {@code [0, numEmbeddings)}
     * @return {@code [ids.length, dim]}
     */
    public Tensor forward(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding(" + numEmbeddings + ", " + dim + "): id " + ids[i]
                        + " at position " + i + " is not in [0, " + numEmbeddings + ")");
            }
        }
        return lookup(ids);
    }

    private Tensor lookup(int[] ids) {
        return weight().indexSelect(0, ids);
    }

    /** @return the table {@code [numEmbeddings, dim]} */
    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + dim;
    }
}
