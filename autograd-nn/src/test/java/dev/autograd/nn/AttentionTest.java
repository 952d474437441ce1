package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertMentions;
import static dev.autograd.nn.NnTestSupport.assertValues;
import static dev.autograd.nn.NnTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward values of {@link MultiheadAttention}, {@link TransformerEncoderLayer}, {@link TransformerEncoder}
 * and {@link SinusoidalPositionalEncoding}: a hand computation, a plain per-head loop, masks, refusals and
 * state dicts.
 */
class AttentionTest {

    private static void set(Tensor t, double... values) {
        try (var s = Autograd.noGrad()) {
            t.copyFrom(Tensor.of(values, t.shape()));
        }
    }

    /** Moves every parameter away from its initial value (zero biases, unit norms) so that all of them matter. */
    static void perturb(Module m, long seed) {
        Random rng = new Random(seed);
        m.parameters().forEach(p -> {
            try (var s = Autograd.noGrad()) {
                p.addInPlace(Tensor.randn(rng, p.shape()).mul(0.3));
            }
        });
    }

    @Nested
    class HandComputed {
        /**
         * One head, E = 2, L = S = 2, x = I: W_q = 2I, W_k = I, W_v = [[1, 1], [0, 1]], b_v = [1, 0],
         * W_o = diag(1, 2), b_o = [0, 0.5].
         * Q = 2x, K = x, so Q K^T / sqrt(2) = sqrt(2) I and each row's softmax is [p, 1 - p] (or reversed) with
         * p = e^sqrt2 / (e^sqrt2 + 1). V = x W_v^T + b_v = [[2, 0], [2, 1]]; the heads are [2, 1 - p] and
         * [2, p]; the output is [2, 2 (1 - p) + 0.5] and [2, 2 p + 0.5].
         */
        @Test
        void oneHeadTwoByTwo() {
            MultiheadAttention mha = new MultiheadAttention(2, 1, new Random(1));
            set(mha.inProjWeight(), 2, 0, 0, 2, /* W_k */ 1, 0, 0, 1, /* W_v */ 1, 1, 0, 1);
            set(mha.inProjBias(), 0, 0, 0, 0, 1, 0);
            set(mha.outProj().weight(), 1, 0, 0, 2);
            set(mha.outProj().bias(), 0, 0.5);
            Tensor x = Tensor.of(new double[] {1, 0, 0, 1}, 1, 2, 2);
            double p = Math.exp(Math.sqrt(2)) / (Math.exp(Math.sqrt(2)) + 1);

            MultiheadAttention.Result r = mha.forward(x, x, x, null, null, true, true);
            assertArrayEquals(new int[] {1, 2, 2}, r.output().shape());
            assertValues(new double[] {2, 2 * (1 - p) + 0.5, 2, 2 * p + 0.5}, r.output(), 1e-12);
            assertValues(new double[] {p, 1 - p, 1 - p, p}, r.weights(), 1e-12);
            // Separate query, key and value objects take the three-product path: the same numbers.
            assertValues(r.output().toDoubleArray(), mha.forward(x, x.clone(), x.clone()), 1e-12);

            // A causal mask: query 0 sees only key 0 (weight 1, head = V_0 = [2, 0]); query 1 is unchanged.
            r = mha.forward(x, x, x, null, AttentionMask.causal(2), true, true);
            assertValues(new double[] {1, 0, 1 - p, p}, r.weights(), 1e-12);
            assertValues(new double[] {2, 0.5, 2, 2 * p + 0.5}, r.output(), 1e-12);
        }
    }

    @Nested
    class AgainstAPlainLoop {
        @Test
        void crossAttentionWithBothMasksPerHeadWeights() {
            int n = 2, l = 3, s = 4, e = 6, h = 3;
            MultiheadAttention mha = new MultiheadAttention(e, h, new Random(2));
            perturb(mha, 3);
            Tensor q = randn(4, n, l, e);
            Tensor k = randn(5, n, s, e);
            Tensor v = randn(6, n, s, e);
            Tensor pad = Tensor.of(new double[] {0, 0, 0, 1, 0, 1, 0, 0}, n, s);
            Tensor additive = randn(7, l, s);
            MultiheadAttention.Result r = mha.forward(q, k, v, AttentionMask.ignore(pad), AttentionMask.additive(additive),
                    true, false);

            double[][][][] bias = new double[n][h][l][s];
            for (int b = 0; b < n; b++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int i = 0; i < l; i++) {
                        for (int j = 0; j < s; j++) {
                            bias[b][hh][i][j] = additive.get(i, j) + (pad.get(b, j) != 0 ? Double.NEGATIVE_INFINITY : 0);
                        }
                    }
                }
            }
            double[][] expected = reference(mha, q, k, v, bias);
            assertValues(expected[0], r.output(), 1e-10);
            assertArrayEquals(new int[] {n, h, l, s}, r.weights().shape());
            assertValues(expected[1], r.weights(), 1e-12);
            // Averaged over the heads.
            Tensor avg = mha.forward(q, k, v, AttentionMask.ignore(pad), AttentionMask.additive(additive), true, true).weights();
            assertArrayEquals(new int[] {n, l, s}, avg.shape());
            assertValues(r.weights().mean(1, false).toDoubleArray(), avg, 1e-14);
        }

        @Test
        void selfAttentionWithAPerSequenceAndHeadMask() {
            int n = 2, l = 3, e = 4, h = 2;
            MultiheadAttention mha = new MultiheadAttention(e, h, new Random(8));
            perturb(mha, 9);
            Tensor x = randn(10, n, l, e);
            // [N * h, L, L]: each (sequence, head) its own ignore pattern; the diagonal stays visible.
            double[] m = new double[n * h * l * l];
            Random rng = new Random(11);
            for (int i = 0; i < m.length; i++) {
                m[i] = (i / l) % l != i % l && rng.nextBoolean() ? 1 : 0;
            }
            Tensor mask = Tensor.of(m, n * h, l, l);
            MultiheadAttention.Result r = mha.forward(x, x, x, null, AttentionMask.ignore(mask), true, false);
            double[][][][] bias = new double[n][h][l][l];
            for (int b = 0; b < n; b++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int i = 0; i < l; i++) {
                        for (int j = 0; j < l; j++) {
                            bias[b][hh][i][j] = mask.get(b * h + hh, i, j) != 0 ? Double.NEGATIVE_INFINITY : 0;
                        }
                    }
                }
            }
            double[][] expected = reference(mha, x, x, x, bias);
            assertValues(expected[0], r.output(), 1e-10);
            assertValues(expected[1], r.weights(), 1e-12);
        }

        @Test
        void withoutBiasAndInFloat32() {
            MultiheadAttention mha = new MultiheadAttention(4, 2, 0.0, false, new Random(12));
            assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(mha.stateDict().keySet()));
            Tensor x = randn(13, 2, 3, 4);
            double[] expected = reference(mha, x, x, x, new double[2][2][3][3])[0];
            assertValues(expected, mha.forward(x), 1e-10);
            mha.to(DType.FLOAT32);
            Tensor y = mha.forward(x.to(DType.FLOAT32));
            assertEquals(DType.FLOAT32, y.dtype());
            assertValues(expected, y, 1e-5);
        }

        /**
         * Multi-head attention as four nested loops over plain arrays, head by head; returns the output
         * {@code [N, L, E]} and the per-head weights {@code [N, h, L, S]}, flattened.
         */
        private double[][] reference(MultiheadAttention mha, Tensor query, Tensor key, Tensor value, double[][][][] bias) {
            int e = mha.embedDim();
            int h = mha.numHeads();
            int d = e / h;
            int n = query.size(0), l = query.size(1), s = key.size(1);
            double[] w = mha.inProjWeight().toDoubleArray();
            double[] b = mha.inProjBias() == null ? new double[3 * e] : mha.inProjBias().toDoubleArray();
            double[] wo = mha.outProj().weight().toDoubleArray();
            double[] bo = mha.outProj().bias() == null ? new double[e] : mha.outProj().bias().toDoubleArray();
            double[][][] qp = project(query, w, b, 0, e);
            double[][][] kp = project(key, w, b, 1, e);
            double[][][] vp = project(value, w, b, 2, e);
            double[] out = new double[n * l * e];
            double[] weights = new double[n * h * l * s];
            for (int bn = 0; bn < n; bn++) {
                double[][] concat = new double[l][e];
                for (int hh = 0; hh < h; hh++) {
                    for (int i = 0; i < l; i++) {
                        double[] score = new double[s];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < s; j++) {
                            double dot = 0;
                            for (int c = 0; c < d; c++) {
                                dot += qp[bn][i][hh * d + c] * kp[bn][j][hh * d + c];
                            }
                            score[j] = dot / Math.sqrt(d) + bias[bn][hh][i][j];
                            max = Math.max(max, score[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < s; j++) {
                            score[j] = Math.exp(score[j] - max);
                            sum += score[j];
                        }
                        for (int j = 0; j < s; j++) {
                            double a = score[j] / sum;
                            weights[((bn * h + hh) * l + i) * s + j] = a;
                            for (int c = 0; c < d; c++) {
                                concat[i][hh * d + c] += a * vp[bn][j][hh * d + c];
                            }
                        }
                    }
                }
                for (int i = 0; i < l; i++) {
                    for (int o = 0; o < e; o++) {
                        double acc = bo[o];
                        for (int c = 0; c < e; c++) {
                            acc += wo[o * e + c] * concat[i][c];
                        }
                        out[(bn * l + i) * e + o] = acc;
                    }
                }
            }
            return new double[][] {out, weights};
        }

        private double[][][] project(Tensor x, double[] w, double[] b, int part, int e) {
            int n = x.size(0), len = x.size(1);
            double[][][] out = new double[n][len][e];
            for (int bn = 0; bn < n; bn++) {
                for (int i = 0; i < len; i++) {
                    for (int o = 0; o < e; o++) {
                        double acc = b[part * e + o];
                        for (int c = 0; c < e; c++) {
                            acc += w[(part * e + o) * e + c] * x.get(bn, i, c);
                        }
                        out[bn][i][o] = acc;
                    }
                }
            }
            return out;
        }
    }

    @Nested
    class Masks {
        @Test
        void causalOutputAtPositionTIgnoresLaterTokens() {
            int n = 2, l = 5, e = 4;
            TransformerEncoderLayer layer = new TransformerEncoderLayer(e, 2, 8, 0.0, new Random(14));
            perturb(layer, 15);
            Tensor x = randn(16, n, l, e);
            AttentionMask causal = AttentionMask.causal(l);
            double[] before = layer.forward(x, causal, null).toDoubleArray();
            for (int t = 0; t < l - 1; t++) {
                // Change every token after t, in both sequences.
                Tensor changed = Tensor.concat(List.of(x.slice(1, 0, t + 1, 1), randn(17 + t, n, l - t - 1, e)), 1);
                double[] after = layer.forward(changed, causal, null).toDoubleArray();
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < l; i++) {
                        for (int c = 0; c < e; c++) {
                            int at = (b * l + i) * e + c;
                            if (i <= t) {
                                assertEquals(before[at], after[at], 1e-12, "position " + i + " <= " + t + " must not change");
                            }
                        }
                    }
                }
                // ... while without the mask, position 0 does see the change.
                assertNotEquals(layer.forward(x).get(0, 0, 0), layer.forward(changed).get(0, 0, 0));
            }
        }

        @Test
        void paddedKeysChangeNothingOutsideThePadding() {
            int n = 2, l = 4, e = 4;
            MultiheadAttention mha = new MultiheadAttention(e, 2, new Random(30));
            perturb(mha, 31);
            int[] lengths = {2, 3};
            AttentionMask pad = AttentionMask.padding(lengths, l);
            assertValues(new double[] {0, 0, 1, 1, 0, 0, 0, 1}, pad.values(), 0);
            Tensor x = randn(32, n, l, e);
            // Replace the padding positions by other values.
            double[] xs = x.toDoubleArray();
            Random rng = new Random(33);
            for (int b = 0; b < n; b++) {
                for (int i = lengths[b]; i < l; i++) {
                    for (int c = 0; c < e; c++) {
                        xs[(b * l + i) * e + c] = rng.nextGaussian() * 10;
                    }
                }
            }
            Tensor y = Tensor.of(xs, n, l, e);
            MultiheadAttention.Result before = mha.forward(x, x, x, pad, null, true, true);
            MultiheadAttention.Result after = mha.forward(y, y, y, pad, null, true, true);
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < lengths[b]; i++) {
                    for (int c = 0; c < e; c++) {
                        assertEquals(before.output().get(b, i, c), after.output().get(b, i, c), 1e-12);
                    }
                }
                for (int i = 0; i < l; i++) {
                    for (int j = lengths[b]; j < l; j++) {
                        assertEquals(0.0, before.weights().get(b, i, j), "a padded key has weight exactly 0");
                    }
                }
            }
        }

        @Test
        void anAdditiveMinusInfinityIsAnIgnoreMaskAndAFiniteOneBiases() {
            MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(34));
            perturb(mha, 35);
            Tensor x = randn(36, 1, 3, 4);
            double inf = Double.NEGATIVE_INFINITY;
            Tensor additive = Tensor.of(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, 3, 3);
            assertValues(mha.forward(x, x, x, null, AttentionMask.causal(3), true, false).weights().toDoubleArray(),
                    mha.forward(x, x, x, null, AttentionMask.additive(additive), true, false).weights(), 1e-15);
            // A finite bias of log 2 on key 0 doubles its unnormalised weight.
            Tensor bias = Tensor.of(new double[] {Math.log(2), 0, 0}, 1, 3).expand(3, 3);
            Tensor plain = mha.forward(x, x, x, null, null, true, false).weights();
            Tensor biased = mha.forward(x, x, x, null, AttentionMask.additive(bias), true, false).weights();
            double ratio = (biased.get(0, 1, 2, 0) / biased.get(0, 1, 2, 1)) / (plain.get(0, 1, 2, 0) / plain.get(0, 1, 2, 1));
            assertEquals(2.0, ratio, 1e-12);
        }

        @Test
        void inFloat32MaskedKeysGetWeightZeroAndNothingIsNaN() {
            MultiheadAttention mha = new MultiheadAttention(8, 2, new Random(52));
            perturb(mha, 53);
            mha.to(DType.FLOAT32);
            Tensor x = randn(54, 3, 5, 8).to(DType.FLOAT32).requiresGrad(true);
            AttentionMask pad = AttentionMask.padding(new int[] {5, 3, 1}, 5);
            MultiheadAttention.Result r = mha.forward(x, x, x, pad, AttentionMask.causal(5), true, false);
            double[] w = r.weights().toDoubleArray();
            for (int b = 0; b < 3; b++) {
                for (int hh = 0; hh < 2; hh++) {
                    for (int i = 0; i < 5; i++) {
                        for (int j = 0; j < 5; j++) {
                            double v = w[((b * 2 + hh) * 5 + i) * 5 + j];
                            boolean masked = j > i || j >= new int[] {5, 3, 1}[b];
                            assertTrue(masked ? v == 0.0 : v > 0, "weight " + v + " at " + b + ", " + hh + ", " + i + ", " + j);
                        }
                    }
                }
            }
            r.output().sum().backward();
            assertTrue(java.util.Arrays.stream(x.grad().toDoubleArray()).allMatch(Double::isFinite));
            assertTrue(mha.parameters().stream().allMatch(p -> java.util.Arrays.stream(p.grad().toDoubleArray())
                    .allMatch(Double::isFinite)));
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> new SinusoidalPositionalEncoding(5, 8).forward(x)), "SinusoidalPositionalEncoding", "FLOAT32", "to(FLOAT32)");
        }

        @Test
        void aQueryWithEveryKeyMaskedIsRefusedNotNaN() {
            MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(37));
            Tensor x = randn(38, 2, 3, 4);
            // Left padding: sequence 1's first key is padding, and under the causal mask query 0 sees only key 0.
            Tensor pad = Tensor.of(new double[] {0, 0, 0, 1, 0, 0}, 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, x, AttentionMask.ignore(pad), AttentionMask.causal(3), false, true));
            assertMentions(e, "MultiheadAttention", "every key", "sequence 1", "query position 0", "NaN", "-1e9");
            // A fully padded sequence.
            Tensor all = Tensor.of(new double[] {0, 0, 0, 1, 1, 1}, 2, 3);
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, x, AttentionMask.ignore(all), null, false, true)), "sequence 1", "every key");
            // A large finite negative value instead keeps the row finite: the constant cancels in the softmax, so
            // the fully masked sequence gets its unmasked weights (up to the rounding of 1e9 + score), as documented.
            Tensor big = Tensor.of(new double[] {0, 0, 0, -1e9, -1e9, -1e9}, 2, 3);
            Tensor w = mha.forward(x, x, x, AttentionMask.additive(big), null, true, true).weights();
            Tensor unmasked = mha.forward(x, x, x, null, null, true, true).weights();
            assertValues(unmasked.select(0, 1).toDoubleArray(), w.select(0, 1), 1e-6);
            // NaN and +inf in an additive mask are refused.
            Tensor nan = Tensor.of(new double[] {0, Double.NaN, 0, 0, 0, 0, 0, 0, 0}, 3, 3);
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, x, null, AttentionMask.additive(nan), false, true)), "attnMask", "NaN");
        }
    }

    @Nested
    class Refusals {
        @Test
        void embedDimNotDivisibleByHeads() {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4, new Random(1))),
                    "MultiheadAttention", "embedDim=6", "numHeads=4", "divisible");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> new TransformerEncoderLayer(6, 4, 8, 0.0, new Random(1))), "TransformerEncoderLayer", "dModel=6", "nHead=4");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> new MultiheadAttention(4, 2, 1.0, true, new Random(1))), "MultiheadAttention", "dropout");
        }

        @Test
        void wrongRankOrWidth() {
            MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(1));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(3, 4))),
                    "MultiheadAttention(embedDim=4, numHeads=2)", "query", "[3, 4]", "[N, L, 4]", "unsqueeze(0)");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(1, 3, 5))),
                    "MultiheadAttention", "[1, 3, 5]");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 2, 4), Tensor.zeros(1, 3, 4))),
                    "MultiheadAttention", "key [1, 2, 4]", "value [1, 3, 4]");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(Tensor.zeros(DType.FLOAT32, 1, 3, 4))), "MultiheadAttention", "FLOAT32", "FLOAT64");
            TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 8, 0.0, new Random(1));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(2, 3, 4, 1))),
                    "TransformerEncoderLayer(dModel=4, nHead=2)", "[2, 3, 4, 1]");
        }

        @Test
        void maskShapes() {
            MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(1));
            Tensor q = Tensor.zeros(2, 3, 4);
            Tensor kv = Tensor.zeros(2, 5, 4);
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(q, kv, kv, AttentionMask.ignore(Tensor.zeros(2, 3)), null, false, true)),
                    "MultiheadAttention", "keyPaddingMask", "[2, 3]", "[N, S] = [2, 5]");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(q, kv, kv, null, AttentionMask.causal(3), false, true)),
                    "MultiheadAttention", "attnMask", "[3, 3]", "[L, S] = [3, 5]", "[N * numHeads, L, S] = [4, 3, 5]");
            TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 8, 0.0, new Random(1));
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(q, AttentionMask.causal(4), null)), "TransformerEncoderLayer", "attnMask", "[4, 4]");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(q, kv, kv, null, AttentionMask.additive(Tensor.zeros(DType.FLOAT32, 3, 5)), false, true)),
                    "MultiheadAttention", "additive attnMask", "FLOAT32");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> AttentionMask.padding(new int[] {0}, 3)),
                    "AttentionMask.padding", "length 0");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> new SinusoidalPositionalEncoding(4, 6).forward(Tensor.zeros(1, 5, 6))),
                    "SinusoidalPositionalEncoding", "[1, 5, 6]", "L <= 4");
        }
    }

    @Nested
    class EncoderLayerAndStack {
        @Test
        void postAndPreNormFollowTheirFormulas() {
            for (boolean normFirst : new boolean[] {false, true}) {
                TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0, TransformerEncoderLayer.Activation.GELU,
                        normFirst, 1e-5, new Random(40));
                perturb(layer, 41);
                Tensor x = randn(42, 2, 3, 4);
                Map<String, dev.autograd.nn.Module> m = layer.namedModules();
                Module attn = m.get("self_attn");
                Module norm1 = m.get("norm1");
                Module norm2 = m.get("norm2");
                Module lin1 = m.get("linear1");
                Module lin2 = m.get("linear2");
                java.util.function.UnaryOperator<Tensor> ff = t -> lin2.forward(lin1.forward(t).gelu());
                Tensor expected;
                if (normFirst) {
                    Tensor h = x.add(attn.forward(norm1.forward(x)));
                    expected = h.add(ff.apply(norm2.forward(h)));
                } else {
                    Tensor h = norm1.forward(x.add(attn.forward(x)));
                    expected = norm2.forward(h.add(ff.apply(h)));
                }
                assertValues(expected.toDoubleArray(), layer.forward(x), 1e-12);
            }
        }

        @Test
        void namesAndShapesArePyTorchs() {
            TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16, 0.1, new Random(43)), 2,
                    new LayerNorm(8));
            Map<String, Tensor> sd = enc.stateDict();
            List<String> layer0 = List.of("layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias",
                    "layers.0.self_attn.out_proj.weight", "layers.0.self_attn.out_proj.bias", "layers.0.linear1.weight",
                    "layers.0.linear1.bias", "layers.0.linear2.weight", "layers.0.linear2.bias", "layers.0.norm1.weight",
                    "layers.0.norm1.bias", "layers.0.norm2.weight", "layers.0.norm2.bias");
            assertEquals(layer0, List.copyOf(sd.keySet()).subList(0, 12));
            assertEquals(26, sd.size());
            assertTrue(sd.containsKey("layers.1.norm2.bias") && sd.containsKey("norm.weight") && sd.containsKey("norm.bias"));
            assertArrayEquals(new int[] {24, 8}, sd.get("layers.0.self_attn.in_proj_weight").shape());
            assertArrayEquals(new int[] {24}, sd.get("layers.0.self_attn.in_proj_bias").shape());
            assertArrayEquals(new int[] {8, 8}, sd.get("layers.0.self_attn.out_proj.weight").shape());
            assertArrayEquals(new int[] {16, 8}, sd.get("layers.1.linear1.weight").shape());
            assertArrayEquals(new int[] {8, 16}, sd.get("layers.1.linear2.weight").shape());
            // PyTorch's initialisation: zero biases in the attention.
            assertValues(new double[24], sd.get("layers.0.self_attn.in_proj_bias"), 0);
            assertValues(new double[8], sd.get("layers.0.self_attn.out_proj.bias"), 0);
        }

        @Test
        void stateDictRoundTripThroughSafetensors(@TempDir Path dir) {
            java.util.function.LongFunction<TransformerEncoder> make = seed -> {
                Random rng = new Random(seed);
                return new TransformerEncoder(() -> new TransformerEncoderLayer(4, 2, 8, 0.1,
                        TransformerEncoderLayer.Activation.RELU, true, 1e-5, rng), 2, new LayerNorm(4));
            };
            TransformerEncoder a = make.apply(1);
            perturb(a, 44);
            a.eval();
            Path file = dir.resolve("encoder.safetensors");
            SafeTensors.save(a, file);
            assertTrue(Files.isRegularFile(file));
            TransformerEncoder b = make.apply(2);
            b.eval();
            Tensor x = randn(45, 2, 3, 4);
            AttentionMask causal = AttentionMask.causal(3);
            assertNotEquals(a.forward(x, causal, null).get(0, 0, 0), b.forward(x, causal, null).get(0, 0, 0));
            SafeTensors.load(b, file);
            assertValues(a.forward(x, causal, null).toDoubleArray(), b.forward(x, causal, null), 0);
            // loadStateDict, the in-memory path.
            TransformerEncoder c = make.apply(3);
            c.eval();
            c.loadStateDict(a.stateDict());
            assertValues(a.forward(x).toDoubleArray(), c.forward(x), 0);
        }

        @Test
        void dropoutActsInTrainingModeOnlyAndIsSeeded() {
            Tensor x = randn(46, 2, 5, 8);
            TransformerEncoderLayer a = new TransformerEncoderLayer(8, 2, 16, 0.3, new Random(47));
            TransformerEncoderLayer b = new TransformerEncoderLayer(8, 2, 16, 0.3, new Random(47));
            assertValues(a.forward(x).toDoubleArray(), b.forward(x), 0);          // same seed, same masks
            Tensor train = a.forward(x);
            assertNotEquals(train.get(0, 0, 0), a.forward(x).get(0, 0, 0));        // fresh masks each call
            a.eval();
            assertValues(a.forward(x).toDoubleArray(), a.forward(x), 0);
            // The weights returned in training mode are the dropped ones, as PyTorch's: some are 0, rows no longer sum to 1.
            MultiheadAttention mha = new MultiheadAttention(8, 2, 0.5, true, new Random(48));
            Tensor w = mha.forward(x, x, x, null, null, true, false).weights();
            assertTrue(java.util.Arrays.stream(w.toDoubleArray()).anyMatch(v -> v == 0.0));
            mha.eval();
            Tensor rows = mha.forward(x, x, x, null, null, true, false).weights().sum(-1, false);
            assertValues(Tensor.onesLike(rows).toDoubleArray(), rows, 1e-12);
        }

        @Test
        void attentionWeightsOfEachLayer() {
            TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(4, 2, 8, 0.0, new Random(49)), 2, null);
            assertNull(enc.norm());
            Tensor x = randn(50, 1, 3, 4);
            List<Tensor> w = enc.attentionWeights(x, AttentionMask.causal(3), null, false);
            assertEquals(2, w.size());
            assertArrayEquals(new int[] {1, 2, 3, 3}, w.get(1).shape());
            assertEquals(0.0, w.get(1).get(0, 1, 0, 2));
            // Layer 1's weights come from layer 0's output.
            Tensor h = enc.layer(0).forward(x, AttentionMask.causal(3), null);
            assertValues(enc.layer(1).selfAttention().forward(h, h, h, null, AttentionMask.causal(3), true, false).weights()
                    .toDoubleArray(), w.get(1), 1e-14);
        }
    }

    @Nested
    class PositionalEncoding {
        @Test
        void sinesAndCosinesOfThePaper() {
            Tensor pe = SinusoidalPositionalEncoding.table(3, 4);
            // Columns: sin(pos), cos(pos), sin(pos / 100), cos(pos / 100) since 10000^(2/4) = 100.
            double[] expected = new double[12];
            for (int pos = 0; pos < 3; pos++) {
                expected[pos * 4] = Math.sin(pos);
                expected[pos * 4 + 1] = Math.cos(pos);
                expected[pos * 4 + 2] = Math.sin(pos / 100.0);
                expected[pos * 4 + 3] = Math.cos(pos / 100.0);
            }
            assertValues(expected, pe, 1e-15);
            SinusoidalPositionalEncoding enc = new SinusoidalPositionalEncoding(5, 4);
            Tensor x = randn(51, 2, 3, 4);
            assertValues(x.add(pe).toDoubleArray(), enc.forward(x), 1e-15);
            assertValues(pe.toDoubleArray(), enc.forward(Tensor.zeros(3, 4)), 0);
            assertEquals(List.of("pe"), List.copyOf(enc.stateDict().keySet()));
            assertEquals(0, enc.parameterCount());
            // Odd width: the last column is a sine.
            assertEquals(Math.sin(2 / Math.pow(10000, 4.0 / 5)), SinusoidalPositionalEncoding.table(3, 5).get(2, 4), 1e-15);
        }
    }
}
