package dev.autograd.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autograd.Tensor;
import dev.autograd.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The first three steps of each optimizer on a tiny problem, against the update rule computed by hand in
 * plain doubles. The problem: {@code L(p) = 1/2 sum_i c_i p_i^2}, so {@code dL/dp_i = c_i p_i}, from
 * {@code p = (1, -2)} with {@code c = (1, 3)}.
 */
class OptimizerStepTest {

    private static final double[] C = {1, 3};
    private static final double[] P0 = {1, -2};
    private static final double TOL = 1e-14;

    private static Tensor loss(Tensor p) {
        return p.mul(p).mul(Tensor.of(C, 2)).sum().mul(0.5);
    }

    /** One training step: zero grad, backward, optimizer step. */
    private static void train(Optimizer opt, Tensor p) {
        opt.zeroGrad();
        loss(p).backward();
        opt.step();
    }

    @Test
    void plainSgdFirstStepsWrittenOut() {
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new SGD(List.of(p), 0.1);
        // step 1: g = (1, -6); p = (1 - 0.1, -2 + 0.6) = (0.9, -1.4)
        train(opt, p);
        assertArrayEquals(new double[] {0.9, -1.4}, p.toDoubleArray(), TOL);
        // step 2: g = (0.9, -4.2); p = (0.81, -0.98)
        train(opt, p);
        assertArrayEquals(new double[] {0.81, -0.98}, p.toDoubleArray(), TOL);
        // step 3: g = (0.81, -2.94); p = (0.729, -0.686)
        train(opt, p);
        assertArrayEquals(new double[] {0.729, -0.686}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdWithMomentumDampeningAndWeightDecay() {
        double lr = 0.1, mu = 0.9, damp = 0.2, wd = 0.05;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new SGD(List.of(p), lr, mu, damp, wd, false);
        double[] x = P0.clone();
        double[] buf = new double[2];
        for (int t = 1; t <= 3; t++) {
            train(opt, p);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i] + wd * x[i];
                buf[i] = t == 1 ? g : mu * buf[i] + (1 - damp) * g;
                x[i] -= lr * buf[i];
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void sgdWithNesterovMomentum() {
        double lr = 0.05, mu = 0.8;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new SGD(List.of(p), lr, mu, 0, 0, true);
        double[] x = P0.clone();
        double[] buf = new double[2];
        // step 1 by hand: g = (1, -6), b = g, update = g + 0.8 b = (1.8, -10.8), p = (0.91, -1.46)
        train(opt, p);
        assertArrayEquals(new double[] {0.91, -1.46}, p.toDoubleArray(), TOL);
        for (int i = 0; i < 2; i++) {
            buf[i] = C[i] * x[i];
            x[i] -= lr * (C[i] * x[i] + mu * buf[i]);
        }
        for (int t = 2; t <= 3; t++) {
            train(opt, p);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i];
                buf[i] = mu * buf[i] + g;
                x[i] -= lr * (g + mu * buf[i]);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void adam() {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new Adam(List.of(p), lr);
        // step 1 by hand: mHat = g, vHat = g^2, so p moves by lr * sign(g) (up to eps): (0.9, -1.9)
        train(opt, p);
        assertArrayEquals(new double[] {0.9, -1.9}, p.toDoubleArray(), 1e-8);
        double[] x = P0.clone();
        double[] m = new double[2];
        double[] v = new double[2];
        for (int t = 1; t <= 3; t++) {
            if (t > 1) {
                train(opt, p);
            }
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void adamWithL2WeightDecayAddsItToTheGradient() {
        double lr = 0.01, b1 = 0.8, b2 = 0.99, eps = 1e-6, wd = 0.1;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new Adam(List.of(p), lr, b1, b2, eps, wd);
        double[] x = P0.clone();
        double[] m = new double[2];
        double[] v = new double[2];
        for (int t = 1; t <= 3; t++) {
            train(opt, p);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i] + wd * x[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                x[i] -= lr * (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void adamWDecaysTheWeightsDirectly() {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new AdamW(List.of(p));
        opt.setLearningRate(lr);
        double[] x = P0.clone();
        double[] m = new double[2];
        double[] v = new double[2];
        for (int t = 1; t <= 3; t++) {
            train(opt, p);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i];            // the gradient at the point before the decay
                x[i] *= 1 - lr * wd;               // decoupled decay first
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                x[i] -= lr * (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void rmsprop() {
        double lr = 0.01, alpha = 0.99, eps = 1e-8;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new RMSprop(List.of(p));
        // step 1 by hand: s = 0.01 g^2, so p moves by lr * g / (0.1 |g|) = 0.1 sign(g): (0.9, -1.9)
        train(opt, p);
        assertArrayEquals(new double[] {0.9, -1.9}, p.toDoubleArray(), 1e-8);
        double[] x = P0.clone();
        double[] s = new double[2];
        for (int t = 1; t <= 3; t++) {
            if (t > 1) {
                train(opt, p);
            }
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i];
                s[i] = alpha * s[i] + (1 - alpha) * g * g;
                x[i] -= lr * g / (Math.sqrt(s[i]) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void rmspropCenteredWithMomentumAndWeightDecay() {
        double lr = 0.01, alpha = 0.9, eps = 1e-8, wd = 0.1, mu = 0.5;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new RMSprop(List.of(p), lr, alpha, eps, wd, mu, true);
        double[] x = P0.clone();
        double[] s = new double[2];
        double[] a = new double[2];
        double[] b = new double[2];
        for (int t = 1; t <= 3; t++) {
            train(opt, p);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i] + wd * x[i];
                s[i] = alpha * s[i] + (1 - alpha) * g * g;
                a[i] = alpha * a[i] + (1 - alpha) * g;
                double d = Math.sqrt(s[i] - a[i] * a[i]) + eps;
                b[i] = mu * b[i] + g / d;
                x[i] -= lr * b[i];
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void adagrad() {
        double lr = 0.5, eps = 1e-10;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new Adagrad(List.of(p), lr);
        // step 1 by hand: s = g^2, p moves by lr * sign(g): (0.5, -1.5)
        train(opt, p);
        assertArrayEquals(new double[] {0.5, -1.5}, p.toDoubleArray(), 1e-9);
        double[] x = P0.clone();
        double[] s = new double[2];
        for (int t = 1; t <= 3; t++) {
            if (t > 1) {
                train(opt, p);
            }
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i];
                s[i] += g * g;
                x[i] -= lr * g / (Math.sqrt(s[i]) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void adagradWithLrDecayWeightDecayAndInitialAccumulator() {
        double lr = 0.5, decay = 0.1, wd = 0.2, init = 0.3, eps = 1e-10;
        Tensor p = Parameter.of(P0, 2);
        Optimizer opt = new Adagrad(List.of(p), lr, decay, wd, init, eps);
        double[] x = P0.clone();
        double[] s = {init, init};
        for (int t = 1; t <= 3; t++) {
            train(opt, p);
            double clr = lr / (1 + (t - 1) * decay);
            for (int i = 0; i < 2; i++) {
                double g = C[i] * x[i] + wd * x[i];
                s[i] += g * g;
                x[i] -= clr * g / (Math.sqrt(s[i]) + eps);
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "step " + t);
        }
    }

    @Test
    void updatesAreInPlaceAndSkipParametersWithoutGradient() {
        Tensor p = Parameter.of(P0, 2);
        Tensor unused = Parameter.of(new double[] {5}, 1);
        Optimizer opt = new Adam(List.of(p, unused), 0.1);
        Tensor before = p;
        train(opt, p);
        assertEquals(before, p);
        assertArrayEquals(new double[] {5}, unused.toDoubleArray(), 0);
        assertEquals(1, opt.stepCount(0));
        assertEquals(0, opt.stepCount(1));
        assertEquals(true, p.requiresGrad() && p.isLeaf());
    }
}
