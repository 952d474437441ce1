package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertMentions;
import static dev.autograd.nn.NnTestSupport.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link RNN}, {@link LSTM} and {@link GRU}: one step of a tiny cell against values computed by hand, longer
 * stacked runs against a plain-loop reference written from the equations, shapes, PyTorch's parameter names,
 * errors, and a state-dict round trip.
 */
class RecurrentTest {

    private static void set(Tensor t, double... values) {
        try (var s = Autograd.noGrad()) {
            t.copyFrom(Tensor.of(values, t.shape()));
        }
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static Tensor x(double... values) {
        return Tensor.of(values, 1, values.length, 1);
    }

    @Nested
    class OneStepByHand {
        @Test
        void rnnTanhAndReluOfTwoUnits() {
            for (RNN.Nonlinearity act : RNN.Nonlinearity.values()) {
                RNN rnn = new RNN(1, 2, 1, act, true, new Random(1));
                set(rnn.weightIh(0), 0.5, -1);
                set(rnn.weightHh(0), 0.1, 0.2, 0.3, -0.4);
                set(rnn.biasIh(0), 0.1, 0.2);
                set(rnn.biasHh(0), -0.3, 0.05);
                RecurrentOutput r = rnn.forwardWithState(x(2), Tensor.of(new double[] {1, -1}, 1, 1, 2));
                // z_0 = 0.5*2 + 0.1 + (0.1*1 + 0.2*(-1)) - 0.3 = 0.7; z_1 = -1*2 + 0.2 + (0.3*1 - 0.4*(-1)) + 0.05 = -1.05
                double[] expected = act == RNN.Nonlinearity.TANH ? new double[] {Math.tanh(0.7), Math.tanh(-1.05)}
                        : new double[] {0.7, 0};
                assertValues(expected, r.output(), 1e-15);
                assertValues(expected, r.hidden(), 1e-15);
                assertNull(r.cell());
            }
        }

        @Test
        void lstmGatesInPyTorchOrder() {
            LSTM lstm = new LSTM(1, 1, new Random(2));
            set(lstm.weightIh(0), 0.1, 0.2, 0.3, 0.4);       // i, f, g, o
            set(lstm.weightHh(0), -0.5, 0.6, -0.7, 0.8);
            set(lstm.biasIh(0), 0.01, 0.02, 0.03, 0.04);
            set(lstm.biasHh(0), 0, 0.1, 0, -0.1);
            RecurrentOutput r = lstm.forwardWithState(x(1), Tensor.of(new double[] {0.5}, 1, 1, 1),
                    Tensor.of(new double[] {-1}, 1, 1, 1));
            // x = 1, h0 = 0.5, c0 = -1:
            double i = sigmoid(0.1 + 0.01 - 0.5 * 0.5 + 0);      // -0.14
            double f = sigmoid(0.2 + 0.02 + 0.6 * 0.5 + 0.1);    // 0.62
            double g = Math.tanh(0.3 + 0.03 - 0.7 * 0.5 + 0);    // -0.02
            double o = sigmoid(0.4 + 0.04 + 0.8 * 0.5 - 0.1);    // 0.74
            double c = f * -1 + i * g;
            double h = o * Math.tanh(c);
            assertValues(new double[] {h}, r.output(), 1e-15);
            assertValues(new double[] {h}, r.hidden(), 1e-15);
            assertValues(new double[] {c}, r.cell(), 1e-15);
        }

        @Test
        void gruResetGateMultipliesTheHiddenBias() {
            GRU gru = new GRU(1, 1, new Random(3));
            set(gru.weightIh(0), 0.1, 0.2, 0.3);              // r, z, n
            set(gru.weightHh(0), 0.4, -0.5, 0.6);
            set(gru.biasIh(0), 0.01, 0.02, 0.03);
            set(gru.biasHh(0), -0.01, 0.05, 0.2);
            RecurrentOutput r = gru.forwardWithState(x(2), Tensor.of(new double[] {-0.5}, 1, 1, 1));
            // x = 2, h0 = -0.5:
            double reset = sigmoid(0.2 + 0.01 + 0.4 * -0.5 - 0.01);            // 0
            double update = sigmoid(0.4 + 0.02 - 0.5 * -0.5 + 0.05);           // 0.72
            double n = Math.tanh(0.6 + 0.03 + reset * (0.6 * -0.5 + 0.2));    // tanh(0.58)
            double h = (1 - update) * n + update * -0.5;
            assertEquals(0.5, reset, 1e-15);
            assertValues(new double[] {h}, r.output(), 1e-15);
            assertValues(new double[] {h}, r.hidden(), 1e-15);
        }
    }

    /**
     * A reference written from the equations with plain loops over numbers, independent of tensors: it
     * checks the gate blocks' layout in the stacked matrices (H > 1), the stacking of layers, many steps and
     * the initial states.
     */
    @Nested
    class AgainstAPlainLoopReference {

        private static double[][] matrix(Tensor t) {
            int rows = t.shape()[0];
            int cols = t.shape()[1];
            double[] v = t.toDoubleArray();
            double[][] m = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(v, r * cols, m[r], 0, cols);
            }
            return m;
        }

        /** {@code W x + b} for one sample: the pre-activations of all gate blocks. */
        private static double[] affine(double[][] w, double[] b, double[] x) {
            double[] out = new double[w.length];
            for (int r = 0; r < w.length; r++) {
                double s = b == null ? 0 : b[r];
                for (int c = 0; c < x.length; c++) {
                    s += w[r][c] * x[c];
                }
                out[r] = s;
            }
            return out;
        }

        /** Runs the reference; returns {output [N][T][H], h_n [L][N][H], c_n [L][N][H]}. */
        private double[][][][] reference(RecurrentLayer layer, double[][][] input, double[][][] h0, double[][][] c0) {
            int n = input.length;
            int steps = input[0].length;
            int hidden = layer.hiddenSize();
            int layers = layer.numLayers();
            double[][][] seq = input;
            double[][][] hn = new double[layers][n][];
            double[][][] cn = new double[layers][n][];
            for (int k = 0; k < layers; k++) {
                double[][] wih = matrix(layer.weightIh(k));
                double[][] whh = matrix(layer.weightHh(k));
                double[] bih = layer.hasBias() ? layer.biasIh(k).toDoubleArray() : null;
                double[] bhh = layer.hasBias() ? layer.biasHh(k).toDoubleArray() : null;
                double[][][] out = new double[n][steps][];
                for (int s = 0; s < n; s++) {
                    double[] h = h0 == null ? new double[hidden] : h0[k][s].clone();
                    double[] c = c0 == null ? new double[hidden] : c0[k][s].clone();
                    for (int t = 0; t < steps; t++) {
                        double[] a = affine(wih, bih, seq[s][t]);
                        double[] b = affine(whh, bhh, h);
                        double[] hNew = new double[hidden];
                        double[] cNew = new double[hidden];
                        for (int j = 0; j < hidden; j++) {
                            if (layer instanceof RNN rnn) {
                                double z = a[j] + b[j];
                                hNew[j] = rnn.nonlinearity() == RNN.Nonlinearity.TANH ? Math.tanh(z) : Math.max(0, z);
                            } else if (layer instanceof LSTM) {
                                double i = sigmoid(a[j] + b[j]);
                                double f = sigmoid(a[hidden + j] + b[hidden + j]);
                                double g = Math.tanh(a[2 * hidden + j] + b[2 * hidden + j]);
                                double o = sigmoid(a[3 * hidden + j] + b[3 * hidden + j]);
                                cNew[j] = f * c[j] + i * g;
                                hNew[j] = o * Math.tanh(cNew[j]);
                            } else {
                                double r = sigmoid(a[j] + b[j]);
                                double z = sigmoid(a[hidden + j] + b[hidden + j]);
                                double cand = Math.tanh(a[2 * hidden + j] + r * b[2 * hidden + j]);
                                hNew[j] = (1 - z) * cand + z * h[j];
                            }
                        }
                        h = hNew;
                        c = cNew;
                        out[s][t] = h;
                    }
                    hn[k][s] = h;
                    cn[k][s] = c;
                }
                seq = out;
            }
            return new double[][][][] {seq, hn, cn};
        }

        private static double[][][] blocks(Tensor t) {
            int[] s = t.shape();
            double[] v = t.toDoubleArray();
            double[][][] out = new double[s[0]][s[1]][s[2]];
            for (int a = 0; a < s[0]; a++) {
                for (int b = 0; b < s[1]; b++) {
                    System.arraycopy(v, (a * s[1] + b) * s[2], out[a][b], 0, s[2]);
                }
            }
            return out;
        }

        private static double[] flat(double[][][] a) {
            return java.util.Arrays.stream(a).flatMap(java.util.Arrays::stream).flatMapToDouble(java.util.Arrays::stream)
                    .toArray();
        }

        private void assertMatches(RecurrentLayer layer, boolean withStates) {
            int n = 2;
            int steps = 5;
            Tensor input = Tensor.randn(new Random(100), n, steps, layer.inputSize());
            int[] stateShape = {layer.numLayers(), n, layer.hiddenSize()};
            Tensor h0 = withStates ? Tensor.randn(new Random(101), stateShape) : null;
            Tensor c0 = withStates && layer instanceof LSTM ? Tensor.randn(new Random(102), stateShape) : null;
            RecurrentOutput r = layer instanceof LSTM lstm ? lstm.forwardWithState(input, h0, c0)
                    : layer instanceof GRU gru ? gru.forwardWithState(input, h0)
                    : ((RNN) layer).forwardWithState(input, h0);
            double[][][][] ref = reference(layer, blocks(input), h0 == null ? null : blocks(h0), c0 == null ? null : blocks(c0));
            String what = layer + (withStates ? " from given states" : " from zero states");
            assertArrayEquals(flat(ref[0]), r.output().toDoubleArray(), 1e-12, what + ": output");
            assertArrayEquals(flat(ref[1]), r.hidden().toDoubleArray(), 1e-12, what + ": h_n");
            if (layer instanceof LSTM) {
                assertArrayEquals(flat(ref[2]), r.cell().toDoubleArray(), 1e-12, what + ": c_n");
            }
        }

        @Test
        void stackedLayersOverFiveSteps() {
            for (boolean withStates : new boolean[] {false, true}) {
                assertMatches(new RNN(3, 4, 2, RNN.Nonlinearity.TANH, true, new Random(4)), withStates);
                assertMatches(new RNN(3, 4, 3, RNN.Nonlinearity.RELU, true, new Random(5)), withStates);
                assertMatches(new LSTM(3, 4, 2, true, new Random(6)), withStates);
                assertMatches(new GRU(3, 4, 2, true, new Random(7)), withStates);
            }
        }

        @Test
        void withoutBias() {
            assertMatches(new RNN(2, 3, 2, RNN.Nonlinearity.TANH, false, new Random(8)), true);
            assertMatches(new LSTM(2, 3, 2, false, new Random(9)), true);
            assertMatches(new GRU(2, 3, 2, false, new Random(10)), true);
        }
    }

    @Nested
    class ShapesAndNames {
        private List<RecurrentLayer> layers(int in, int hidden, int numLayers) {
            return List.of(new RNN(in, hidden, numLayers, RNN.Nonlinearity.TANH, true, new Random(11)),
                    new LSTM(in, hidden, numLayers, true, new Random(12)), new GRU(in, hidden, numLayers, true, new Random(13)));
        }

        @Test
        void outputAndFinalStates() {
            for (int numLayers : new int[] {1, 3}) {
                for (int steps : new int[] {1, 4}) {
                    for (RecurrentLayer layer : layers(5, 3, numLayers)) {
                        Tensor input = Tensor.randn(new Random(14), 2, steps, 5);
                        RecurrentOutput r = layer.forwardWithState(input);
                        assertArrayEquals(new int[] {2, steps, 3}, r.output().shape(), layer.toString());
                        assertArrayEquals(new int[] {numLayers, 2, 3}, r.hidden().shape(), layer.toString());
                        assertEquals(layer instanceof LSTM, r.cell() != null);
                        if (r.cell() != null) {
                            assertArrayEquals(new int[] {numLayers, 2, 3}, r.cell().shape());
                        }
                        // forward is the output sequence; the top layer's h_n is its last step
                        assertArrayEquals(r.output().toDoubleArray(), layer.forward(input).toDoubleArray(), 0);
                        assertArrayEquals(r.output().select(1, steps - 1).toDoubleArray(),
                                r.hidden().select(0, numLayers - 1).toDoubleArray(), 0);
                    }
                }
            }
        }

        @Test
        void zeroInitialStatesEqualNoInitialStates() {
            Tensor input = Tensor.randn(new Random(15), 3, 2, 4);
            Tensor zeros = Tensor.zeros(2, 3, 5);
            RNN rnn = new RNN(4, 5, 2, RNN.Nonlinearity.TANH, true, new Random(16));
            LSTM lstm = new LSTM(4, 5, 2, true, new Random(17));
            GRU gru = new GRU(4, 5, 2, true, new Random(18));
            assertArrayEquals(rnn.forward(input).toDoubleArray(), rnn.forwardWithState(input, zeros).output().toDoubleArray(), 0);
            assertArrayEquals(lstm.forward(input).toDoubleArray(),
                    lstm.forwardWithState(input, zeros, zeros).output().toDoubleArray(), 0);
            assertArrayEquals(lstm.forward(input).toDoubleArray(),
                    lstm.forwardWithState(input, null, zeros).output().toDoubleArray(), 0);
            assertArrayEquals(gru.forward(input).toDoubleArray(), gru.forwardWithState(input, zeros).output().toDoubleArray(), 0);
        }

        @Test
        void pytorchParameterNamesShapesAndInitialisationBounds() {
            LSTM lstm = new LSTM(3, 4, 2, true, new Random(19));
            Map<String, Tensor> p = lstm.namedParameters();
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {16, 3}, p.get("weight_ih_l0").shape());
            assertArrayEquals(new int[] {16, 4}, p.get("weight_hh_l0").shape());
            assertArrayEquals(new int[] {16, 4}, p.get("weight_ih_l1").shape());
            assertArrayEquals(new int[] {16}, p.get("bias_hh_l1").shape());
            assertArrayEquals(new int[] {3, 2}, new GRU(2, 1, new Random(20)).weightIh(0).shape());
            assertArrayEquals(new int[] {6, 6}, new RNN(6, 6, new Random(21)).weightHh(0).shape());
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0"),
                    List.copyOf(new GRU(2, 3, 1, false, new Random(22)).namedParameters().keySet()));
            // U(-1/sqrt(H), 1/sqrt(H)) = U(-0.5, 0.5) for H = 4, spread over the range
            for (Tensor t : lstm.parameters()) {
                for (double v : t.toDoubleArray()) {
                    assertTrue(v >= -0.5 && v < 0.5, "value " + v);
                }
            }
            double max = lstm.weightHh(0).abs().max().item();
            assertTrue(max > 0.4, "values reach towards the bound: " + max);
            assertTrue(lstm.toString().startsWith("LSTM(inputSize=3, hiddenSize=4, numLayers=2, bias=true"), lstm.toString());
        }

        @Test
        void composesInSequential() {
            Random rng = new Random(23);
            Sequential model = new Sequential(new GRU(2, 4, rng), new Tanh(), new Linear(4, 1, rng));
            assertArrayEquals(new int[] {3, 6, 1}, model.forward(Tensor.randn(rng, 3, 6, 2)).shape());
            assertTrue(model.namedParameters().containsKey("0.weight_ih_l0"));
        }

        @Test
        void float32EndToEnd() {
            LSTM lstm = new LSTM(2, 3, 2, true, new Random(24));
            Tensor input = Tensor.randn(new Random(25), 2, 3, 2);
            double[] reference = lstm.forward(input).toDoubleArray();
            lstm.to(DType.FLOAT32);
            Tensor out = lstm.forward(input.to(DType.FLOAT32));
            assertEquals(DType.FLOAT32, out.dtype());
            assertArrayEquals(reference, out.toDoubleArray(), 1e-5);
        }
    }

    @Nested
    class BadInputs {
        @Test
        void wrongRankOrFeatureSizeNamesTheLayerAndTheShapes() {
            LSTM lstm = new LSTM(3, 4, 2, true, new Random(26));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 3))),
                    "LSTM(inputSize=3, hiddenSize=4, numLayers=2)", "[5, 3]", "[N, T, 3]", "unsqueeze(0)");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 4))),
                    "LSTM", "[2, 5, 4]", "[N, T, 3]");
            GRU gru = new GRU(2, 2, new Random(27));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> gru.forward(Tensor.zeros(1, 2, 2, 2))),
                    "GRU(inputSize=2", "[1, 2, 2, 2]");
            RNN rnn = new RNN(2, 2, new Random(28));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rnn.forward(Tensor.zeros(2, 0, 2))),
                    "RNN(inputSize=2", "[2, 0, 2]", "T >= 1");
        }

        @Test
        void wrongInitialStateShapeNamesTheStateAndBothShapes() {
            Tensor input = Tensor.zeros(3, 4, 2);
            RNN rnn = new RNN(2, 5, 2, RNN.Nonlinearity.TANH, true, new Random(29));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rnn.forwardWithState(input, Tensor.zeros(1, 3, 5))),
                    "RNN(inputSize=2, hiddenSize=5, numLayers=2)", "h0", "[1, 3, 5]", "[2, 3, 5]", "[numLayers, N, hiddenSize]");
            LSTM lstm = new LSTM(2, 5, new Random(30));
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> lstm.forwardWithState(input, Tensor.zeros(1, 3, 5), Tensor.zeros(1, 2, 5))), "LSTM", "c0", "[1, 2, 5]",
                    "[1, 3, 5]");
            GRU gru = new GRU(2, 5, new Random(31));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> gru.forwardWithState(input, Tensor.zeros(3, 5))),
                    "GRU", "h0", "[3, 5]", "[1, 3, 5]");
        }

        @Test
        void mixedDtypesAndBadSettings() {
            LSTM lstm = new LSTM(2, 3, new Random(32));
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> lstm.forward(Tensor.zeros(DType.FLOAT32, 1, 2, 2))), "LSTM", "FLOAT32", "FLOAT64");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new GRU(0, 3, new Random(33))), "GRU",
                    "inputSize=0");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> new RNN(2, 3, 0, RNN.Nonlinearity.TANH, true, new Random(34))), "RNN", "numLayers=0");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.weightIh(1)), "LSTM", "no layer 1");
        }
    }

    @Test
    void stateDictRoundTripThroughSafeTensors() {
        for (int kind = 0; kind < 3; kind++) {
            RecurrentLayer a = kind == 0 ? new RNN(3, 4, 2, RNN.Nonlinearity.RELU, true, new Random(35))
                    : kind == 1 ? new LSTM(3, 4, 2, true, new Random(36)) : new GRU(3, 4, 2, false, new Random(37));
            RecurrentLayer b = kind == 0 ? new RNN(3, 4, 2, RNN.Nonlinearity.RELU, true, new Random(38))
                    : kind == 1 ? new LSTM(3, 4, 2, true, new Random(39)) : new GRU(3, 4, 2, false, new Random(40));
            Tensor input = Tensor.randn(new Random(41), 2, 5, 3);
            byte[] file = SafeTensors.toBytes(a.stateDict(), Map.of());
            b.loadStateDict(SafeTensors.fromBytes(file).tensors());
            assertArrayEquals(a.forward(input).toDoubleArray(), b.forward(input).toDoubleArray(), 0, a.toString());
            assertEquals(a.stateDict().keySet(), b.stateDict().keySet());
        }
    }
}
