package dev.autograd.nn;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A multilayer perceptron: {@link Linear} layers of the given sizes with an activation between them, as a
 * {@link Sequential} (parameters named {@code "0.weight"}, {@code "0.bias"}, {@code "2.weight"}, ...).
 *
 * <pre>{@code
 * MLP net = MLP.builder(2, 16, 16, 1).activation(Tanh::new).build(new Random(0));
 * // Sequential of Linear(2, 16), Tanh, Linear(16, 16), Tanh, Linear(16, 1)
 * }</pre>
 */
public final class MLP extends Sequential {

    private final int[] sizes;

    private MLP(Builder b, Random random) {
        this.sizes = b.sizes.clone();
        for (int i = 0; i + 1 < sizes.length; i++) {
            add(new Linear(sizes[i], sizes[i + 1], b.bias, random));
            boolean last = i + 2 == sizes.length;
            if (!last) {
                add(Objects.requireNonNull(b.activation.get(), "MLP: the activation supplier returned null"));
                if (b.dropout > 0) {
                    add(new Dropout(b.dropout, random));
                }
            } else if (b.outputActivation != null) {
                add(Objects.requireNonNull(b.outputActivation.get(), "MLP: the output activation supplier returned null"));
            }
        }
    }

    /**
     * Starts an MLP with these layer sizes: input size, hidden sizes, output size.
     *
     * @param sizes at least two sizes, each positive
     * @return a builder whose defaults are ReLU activations, biases, no output activation and no dropout
     * @throws IllegalArgumentException when fewer than two sizes are given or one is not positive
     */
    public static Builder builder(int... sizes) {
        return new Builder(sizes);
    }

    /** @return the layer sizes, input first */
    public int[] sizes() {
        return sizes.clone();
    }

    @Override
    protected String extraRepr() {
        return "sizes=" + Arrays.toString(sizes);
    }

    /** Settings of an {@link MLP}; each setter returns this builder. */
    public static final class Builder {
        private final int[] sizes;
        private Supplier<? extends Module> activation = ReLU::new;
        private Supplier<? extends Module> outputActivation;
        private boolean bias = true;
        private double dropout;

        private Builder(int[] sizes) {
            if (sizes.length < 2) {
                throw new IllegalArgumentException("MLP: give at least an input and an output size, got "
                        + Arrays.toString(sizes));
            }
            for (int s : sizes) {
                if (s < 1) {
                    throw new IllegalArgumentException("MLP: sizes must be positive, got " + Arrays.toString(sizes));
                }
            }
            this.sizes = sizes.clone();
        }

        /**
         * The activation after each hidden layer, made fresh for each one (e.g. {@code Tanh::new}).
         *
         * @param activation a supplier of activation modules
         * @return this builder
         */
        public Builder activation(Supplier<? extends Module> activation) {
            this.activation = Objects.requireNonNull(activation, "MLP: activation");
            return this;
        }

        /**
         * An activation after the last layer (e.g. {@code Sigmoid::new}); none by default, since the losses
         * take logits.
         *
         * @param outputActivation a supplier, or {@code null} for none
         * @return this builder
         */
        public Builder outputActivation(Supplier<? extends Module> outputActivation) {
            this.outputActivation = outputActivation;
            return this;
        }

        /**
         * Whether the linear layers have biases (default true).
         *
         * @param bias the setting
         * @return this builder
         */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /**
         * Dropout with probability {@code p} after each hidden activation (default 0: none).
         *
         * @param p the drop probability in {@code [0, 1)}
         * @return this builder
         */
        public Builder dropout(double p) {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("MLP: dropout must be in [0, 1), got " + p);
            }
            this.dropout = p;
            return this;
        }

        /**
         * Builds the network, drawing initial weights (and dropout masks later) from {@code random}.
         *
         * @param random the source of randomness
         * @return a new MLP
         */
        public MLP build(Random random) {
            return new MLP(this, Objects.requireNonNull(random, "MLP: random"));
        }
    }
}
