package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of {@link Functional} on random smooth functions: a composition of one to four ops drawn
 * from a pool of smooth ones (some change the shape: matmul with a fixed random matrix, logSumExp over
 * the last axis, flatten), with fixed random constants, on inputs of rank 1 or 2 with values in [-2, 2].
 *
 * <ul>
 *   <li>forward and reverse mode agree: {@code <v, J u> = <J^T v, u>} for random u and v;</li>
 *   <li>jvp matches central differences of f along u, and the Jacobian matches jvp and vjp of unit vectors;</li>
 *   <li>hvp matches central differences of the gradient, {@code (grad(x + h v) - grad(x - h v)) / 2h};</li>
 *   <li>the Hessian is symmetric and its rows are hvps of unit vectors.</li>
 * </ul>
 */
class FunctionalProperties {

    /** The op pool; each entry is smooth everywhere on the values these functions see. */
    static final String[] OPS = {"sin", "tanh", "sigmoid", "halfSquare", "exp(0.3x)", "softplus", "mul(c)",
        "matmul(W)", "softmax(-1)", "x*sum(x)", "logSumExp(-1)", "add(b)", "log(1+x^2)", "flatten", "erf", "gelu",
        "x/(1+x^2)", "sqrt(1+x^2)", "cos*exp"};

    /**
     * A random smooth function: ops applied in order; every call draws its constants from a fresh
     * {@code Random(seed)}, so the function is deterministic.
     */
    record SmoothFunction(List<Integer> ops, long seed) implements Function<Tensor, Tensor> {

        @Override
        public Tensor apply(Tensor x) {
            Random r = new Random(seed);
            Tensor t = x;
            for (int op : ops) {
                t = step(op, t, r);
            }
            return t;
        }

        /** The scalar function {@code <f(x), w>} with fixed random weights w of f's output shape. */
        Function<Tensor, Tensor> scalar() {
            return x -> {
                Tensor y = apply(x);
                return y.mul(Tensor.randn(new Random(seed * 31 + 7), y.shape())).sum();
            };
        }

        private static Tensor step(int op, Tensor t, Random r) {
            int last = t.shape()[t.dim() - 1];
            switch (op) {
                case 0: return t.sin();
                case 1: return t.tanh();
                case 2: return t.sigmoid();
                case 3: return t.mul(t).mul(0.5);
                case 4: return t.mul(0.3).exp();
                case 5: return t.softplus();
                case 6: return t.mul(Tensor.randn(r, t.shape()));
                case 7: return t.matmul(Tensor.randn(r, last, 1 + r.nextInt(3)).mul(0.7));
                case 8: return t.softmax(-1);
                case 9: return t.mul(t.sum(-1, true)).mul(0.2);
                case 10: return t.logSumExp(-1, true);
                case 11: return t.add(Tensor.randn(r, last));
                case 12: return t.mul(t).add(1).log();
                case 13: return t.flatten();
                case 14: return t.erf();
                case 15: return t.gelu();
                case 16: return t.div(t.mul(t).add(1));
                case 17: return t.mul(t).add(1).sqrt();
                case 18: return t.cos().mul(t.mul(0.5).exp());
                default: throw new AssertionError(op);
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("x");
            for (int op : ops) {
                sb.insert(0, OPS[op] + "(").append(')');
            }
            return sb + " seed=" + seed;
        }
    }

    // ------------------------------------------------------------ forward mode vs reverse mode

    @Property(tries = 60)
    void jvpAndVjpAgree(@ForAll("functions") SmoothFunction f, @ForAll("points") Sample x, @ForAll long seed) {
        Tensor point = x.constant();
        Tensor y = f.apply(point);
        Random r = new Random(seed);
        Tensor u = Tensor.randn(r, point.shape());
        Tensor v = Tensor.randn(r, y.shape());
        double forward = dot(v, Functional.jvp(f, point, u));
        double reverse = dot(Functional.vjp(f, point, v), u);
        assertEquals(forward, reverse, 1e-10 * (1 + Math.abs(forward)), () -> "<v, J u> vs <J^T v, u> for " + f);
    }

    @Property(tries = 60)
    void jvpMatchesCentralDifferences(@ForAll("functions") SmoothFunction f, @ForAll("points") Sample x,
                                      @ForAll long seed) {
        Tensor point = x.constant();
        Tensor u = Tensor.randn(new Random(seed), point.shape());
        double h = 1e-6;
        double[] plus = f.apply(point.add(u.mul(h))).toDoubleArray();
        double[] minus = f.apply(point.sub(u.mul(h))).toDoubleArray();
        double[] jvp = Functional.jvp(f, point, u).toDoubleArray();
        assertEquals(plus.length, jvp.length);
        for (int i = 0; i < jvp.length; i++) {
            double numeric = (plus[i] - minus[i]) / (2 * h);
            assertEquals(numeric, jvp[i], 1e-6 + 1e-5 * Math.abs(numeric), "element " + i + " of J u for " + f);
        }
    }

    @Property(tries = 40)
    void jacobianColumnsAreJvpsAndRowsAreVjps(@ForAll("functions") SmoothFunction f, @ForAll("points") Sample x) {
        Tensor point = x.constant();
        Tensor j = Functional.jacobian(f, point);
        int[] outShape = f.apply(point).shape();
        int m = TensorArbitraries.numel(outShape);
        int n = point.numel();
        double[] jac = j.toDoubleArray();
        assertEquals(m * n, jac.length);
        for (int col = 0; col < n; col++) {
            double[] e = new double[n];
            e[col] = 1;
            double[] jvp = Functional.jvp(f, point, Tensor.of(e, point.shape())).toDoubleArray();
            for (int row = 0; row < m; row++) {
                assertEquals(jac[row * n + col], jvp[row], 1e-12 * (1 + Math.abs(jvp[row])), "J[" + row + ", " + col + "]");
            }
        }
        for (int row = 0; row < m; row++) {
            double[] e = new double[m];
            e[row] = 1;
            double[] vjp = Functional.vjp(f, point, Tensor.of(e, outShape)).toDoubleArray();
            double[] expected = java.util.Arrays.copyOfRange(jac, row * n, row * n + n);
            assertArrayEquals(expected, vjp, 1e-13, "row " + row + " of the Jacobian is the vjp of e_" + row);
        }
    }

    // ------------------------------------------------------------ second order

    @Property(tries = 60)
    void hvpMatchesCentralDifferencesOfTheGradient(@ForAll("functions") SmoothFunction f, @ForAll("points") Sample x,
                                                   @ForAll long seed) {
        Function<Tensor, Tensor> s = f.scalar();
        Function<Tensor, Tensor> grad = Functional.grad(s);
        Tensor point = x.constant();
        Tensor v = Tensor.randn(new Random(seed), point.shape());
        double h = 1e-5;
        double[] plus = grad.apply(point.add(v.mul(h))).toDoubleArray();
        double[] minus = grad.apply(point.sub(v.mul(h))).toDoubleArray();
        double[] hvp = Functional.hvp(s, point, v).toDoubleArray();
        for (int i = 0; i < hvp.length; i++) {
            double numeric = (plus[i] - minus[i]) / (2 * h);
            assertEquals(numeric, hvp[i], 1e-6 + 1e-5 * Math.abs(numeric), "element " + i + " of H v for " + f);
        }
    }

    @Property(tries = 40)
    void hessianIsSymmetricAndItsRowsAreHvps(@ForAll("functions") SmoothFunction f, @ForAll("points") Sample x) {
        Function<Tensor, Tensor> s = f.scalar();
        Tensor point = x.constant();
        int n = point.numel();
        Tensor hessian = Functional.hessian(s, point);
        int[] expectedShape = new int[2 * point.dim()];
        System.arraycopy(point.shape(), 0, expectedShape, 0, point.dim());
        System.arraycopy(point.shape(), 0, expectedShape, point.dim(), point.dim());
        assertArrayEquals(expectedShape, hessian.shape(), "the Hessian has shape x.shape ++ x.shape");
        double[] h = hessian.toDoubleArray();
        double scale = 1;
        for (double value : h) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < i; k++) {
                assertEquals(h[i * n + k], h[k * n + i], 1e-10 * scale, "H[" + i + ", " + k + "] vs H[" + k + ", " + i
                        + "] for " + f);
            }
            double[] e = new double[n];
            e[i] = 1;
            double[] row = Functional.hvp(s, point, Tensor.of(e, point.shape())).toDoubleArray();
            for (int k = 0; k < n; k++) {
                assertEquals(h[i * n + k], row[k], 1e-12 * scale, "H e_" + i + " element " + k + " for " + f);
            }
        }
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<SmoothFunction> functions() {
        return Combinators.combine(Arbitraries.integers().between(0, OPS.length - 1).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.longs()).as(SmoothFunction::new);
    }

    @Provide
    Arbitrary<Sample> points() {
        return OpArbitraries.samples(1, 2, -2.0, 2.0);
    }

    private static double dot(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        assertEquals(x.length, y.length, "dot of tensors of different sizes");
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
