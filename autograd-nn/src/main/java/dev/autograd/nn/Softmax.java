package dev.autograd.nn;

import dev.autograd.Tensor;

/**
 * {@code e^x_i / sum_j e^x_j} along one axis (stable: the maximum is subtracted first). To train a
 * classifier, feed logits to {@link Losses#crossEntropy(Tensor, int[])} instead of applying softmax then a
 * log: that is both faster and more accurate.
 */
public final class Softmax extends Module {

    private final int axis;

    /**
     * Softmax along {@code axis}.
     *
     * @param axis the axis the probabilities sum to 1 along; negative counts from the end (-1: the last)
     */
    public Softmax(int axis) {
        this.axis = axis;
    }

    /**
     * Applies the softmax.
     *
     * @param x any shape with the axis
     * @return probabilities of the same shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(axis);
    }

    @Override
    protected String extraRepr() {
        return "axis=" + axis;
    }
}
