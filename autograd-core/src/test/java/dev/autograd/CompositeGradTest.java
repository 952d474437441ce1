package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Gradient checks (FLOAT64, full Jacobian) of models written from the issue-3 ops: scaled dot-product
 * attention, layer normalisation, cross-entropy from logSoftmax + gather, and a two-layer CNN on 8x8
 * inputs. Each forward value is also checked against a direct computation.
 */
class CompositeGradTest {

    // ------------------------------------------------------------ attention

    /** softmax(Q K^T / sqrt(d)) V for batched [B, T, d] inputs. */
    static Tensor attention(Tensor q, Tensor k, Tensor v) {
        int d = q.shape()[2];
        Tensor scores = q.matmul(k.transpose(1, 2)).div(Math.sqrt(d));
        return scores.softmax(-1).matmul(v);
    }

    @Test
    void attentionBlockGradCheck() {
        Random r = new Random(11);
        Tensor q = Tensor.randn(r, 2, 3, 4).requiresGrad(true);
        Tensor k = Tensor.randn(r, 2, 3, 4).requiresGrad(true);
        Tensor v = Tensor.randn(r, 2, 3, 4).requiresGrad(true);
        GradCheck.assertGradientsMatch(in -> attention(in[0], in[1], in[2]), q, k, v);
    }

    @Test
    void attentionForwardMatchesALoop() {
        Random r = new Random(12);
        Tensor q = Tensor.randn(r, 2, 3, 4);
        Tensor k = Tensor.randn(r, 2, 3, 4);
        Tensor v = Tensor.randn(r, 2, 3, 4);
        Tensor out = attention(q, k, v);
        assertArrayEquals(shape(2, 3, 4), out.shape());
        double[] expected = new double[2 * 3 * 4];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                double[] w = new double[3];
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    double s = 0;
                    for (int c = 0; c < 4; c++) {
                        s += q.get(b, i, c) * k.get(b, j, c);
                    }
                    w[j] = Math.exp(s / 2); // sqrt(d) = 2
                    sum += w[j];
                }
                for (int c = 0; c < 4; c++) {
                    double o = 0;
                    for (int j = 0; j < 3; j++) {
                        o += w[j] / sum * v.get(b, j, c);
                    }
                    expected[(b * 3 + i) * 4 + c] = o;
                }
            }
        }
        assertArrayEquals(expected, out.toDoubleArray(), 1e-12);
    }

    // ------------------------------------------------------------ layer norm

    /** (x - mean) / sqrt(var(correction 0) + eps) * gamma + beta over the last axis. */
    static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        Tensor mean = x.mean(-1, true);
        Tensor var = x.var(-1, true, 0);
        return x.sub(mean).div(var.add(eps).sqrt()).mul(gamma).add(beta);
    }

    @Test
    void layerNormGradCheck() {
        Random r = new Random(21);
        Tensor x = Tensor.randn(r, 3, 4).requiresGrad(true);
        Tensor gamma = Tensor.randn(r, 4).requiresGrad(true);
        Tensor beta = Tensor.randn(r, 4).requiresGrad(true);
        GradCheck.assertGradientsMatch(in -> layerNorm(in[0], in[1], in[2], 1e-5), x, gamma, beta);
    }

    @Test
    void layerNormNormalisesEachRow() {
        // with gamma = 1 and beta = 0 each row has mean 0 and population variance var / (var + eps) ~ 1
        Random r = new Random(22);
        Tensor x = Tensor.randn(r, 3, 4).mul(5).add(2);
        Tensor y = layerNorm(x, Tensor.ones(4), Tensor.zeros(4), 1e-5);
        assertClose(y.mean(-1, false), shape(3), 1e-12, 0, 0, 0);
        double[] v = x.var(-1, false, 0).toDoubleArray();
        assertClose(y.var(-1, false, 0), shape(3), 1e-12, v[0] / (v[0] + 1e-5), v[1] / (v[1] + 1e-5),
                v[2] / (v[2] + 1e-5));
    }

    // ------------------------------------------------------------ cross-entropy

    /** mean over the batch of -logSoftmax(logits)[n, target[n]], the targets as an [N, 1] index tensor. */
    static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return logits.logSoftmax(1).gather(1, targets).neg().mean();
    }

    @Test
    void crossEntropyGradCheck() {
        Random r = new Random(31);
        Tensor logits = Tensor.randn(r, 4, 3).requiresGrad(true);
        Tensor targets = Tensor.of(new double[] {0, 2, 1, 2}, 4, 1);
        GradCheck.assertGradientsMatch(in -> crossEntropy(in[0], targets), logits);
    }

    @Test
    void crossEntropyValueAndGradientByHand() {
        // logits [[0, 0], [0, ln 3]], targets [0, 1]:
        // row 0: -log(1/2) = ln 2; row 1: -log(3/4) = ln(4/3); mean = (ln 2 + ln 4 - ln 3) / 2
        // gradient (softmax - onehot) / N: row 0 [1/2 - 1, 1/2] / 2 = [-1/4, 1/4];
        //                                  row 1 [1/4, 3/4 - 1] / 2 = [1/8, -1/8]
        Tensor logits = Tensor.of(new double[] {0, 0, 0, Math.log(3)}, 2, 2).requiresGrad(true);
        Tensor loss = crossEntropy(logits, Tensor.of(new double[] {0, 1}, 2, 1));
        assertEquals((Math.log(2) + Math.log(4) - Math.log(3)) / 2, loss.item(), 1e-12);
        loss.backward();
        assertClose(logits.grad(), shape(2, 2), 1e-12, -0.25, 0.25, 0.125, -0.125);
    }

    // ------------------------------------------------------------ two-layer CNN

    /**
     * [N, 1, 8, 8] -> conv 3x3 (2 channels, bias) -> relu -> maxPool 2 -> conv 2x2 (3 channels, bias)
     * -> flatten -> matmul [12, 2]: logits [N, 2].
     */
    static Tensor cnn(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3) {
        Tensor h = x.conv2d(w1, b1).relu().maxPool2d(2); // [N, 2, 6, 6] -> [N, 2, 3, 3]
        Tensor z = h.conv2d(w2, b2);                      // [N, 3, 2, 2]
        return z.flatten(1, 3).matmul(w3);               // [N, 12] @ [12, 2]
    }

    @Test
    void twoLayerCnnGradCheck() {
        Random r = new Random(41);
        Tensor x = Tensor.randn(r, 2, 1, 8, 8).requiresGrad(true);
        Tensor w1 = Tensor.randn(r, 2, 1, 3, 3).mul(0.5).detach().requiresGrad(true);
        Tensor b1 = Tensor.randn(r, 2).mul(0.1).detach().requiresGrad(true);
        Tensor w2 = Tensor.randn(r, 3, 2, 2, 2).mul(0.5).detach().requiresGrad(true);
        Tensor b2 = Tensor.randn(r, 3).mul(0.1).detach().requiresGrad(true);
        Tensor w3 = Tensor.randn(r, 12, 2).mul(0.5).detach().requiresGrad(true);
        Tensor out = cnn(x, w1, b1, w2, b2, w3);
        assertArrayEquals(shape(2, 2), out.shape());
        // random normal inputs keep relu inputs and pool maxima well away from kinks and ties (at 1e-6)
        GradCheck.assertGradientsMatch(in -> cnn(in[0], in[1], in[2], in[3], in[4], in[5]), x, w1, b1, w2, b2, w3);
    }

    @Test
    void twoLayerCnnForwardMatchesTheNaiveReference() {
        Random r = new Random(42);
        Tensor x = Tensor.randn(r, 1, 1, 8, 8);
        Tensor w1 = Tensor.randn(r, 2, 1, 3, 3);
        Tensor b1 = Tensor.randn(r, 2);
        Tensor w2 = Tensor.randn(r, 3, 2, 2, 2);
        Tensor b2 = Tensor.randn(r, 3);
        Tensor w3 = Tensor.randn(r, 12, 2);
        int[] one = {1, 1};
        int[] zero = {0, 0};
        double[] c1 = OpTestSupport.naiveConv2d(x.toDoubleArray(), shape(1, 1, 8, 8), w1.toDoubleArray(),
                shape(2, 1, 3, 3), b1.toDoubleArray(), one, zero, one, 1);
        double[] pooled = new double[2 * 3 * 3];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p < 2; p++) {
                        for (int q = 0; q < 2; q++) {
                            m = Math.max(m, Math.max(0, c1[(c * 6 + 2 * i + p) * 6 + 2 * j + q]));
                        }
                    }
                    pooled[(c * 3 + i) * 3 + j] = m;
                }
            }
        }
        double[] c2 = OpTestSupport.naiveConv2d(pooled, shape(1, 2, 3, 3), w2.toDoubleArray(), shape(3, 2, 2, 2),
                b2.toDoubleArray(), one, zero, one, 1);
        double[] expected = new double[2];
        for (int o = 0; o < 2; o++) {
            for (int f = 0; f < 12; f++) {
                expected[o] += c2[f] * w3.get(f, o);
            }
        }
        assertArrayEquals(expected, cnn(x, w1, b1, w2, b2, w3).toDoubleArray(), 1e-10);
    }
}
