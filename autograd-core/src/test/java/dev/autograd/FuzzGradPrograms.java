package dev.autograd;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random valid differentiable programs for the fuzzer's gradient property: two FLOAT64 inputs of one small
 * shape and a chain of smooth element-wise, reduction and movement ops whose arguments are chosen from the
 * current shape, so that every program runs. Ops with kinks (abs, relu, max, clamp) are left out: finite
 * differences are meaningless at a kink.
 */
final class FuzzGradPrograms {

    private FuzzGradPrograms() {
    }

    /** The ops a program is made of. */
    enum GradOp {
        TANH, SIGMOID, SIN, EXP_SCALED, SOFTPLUS, SQUARE, MUL_INPUT, ADD_INPUT, MUL_SUM_OF_INPUT, ADD_SCALAR,
        DIV_POSITIVE, SUM_AXIS, MEAN_AXIS, LSE_AXIS, SUM_AXES, VAR_AXIS, TRANSPOSE, PERMUTE, RESHAPE_FLAT,
        UNSQUEEZE, SQUEEZE, EXPAND, SLICE, SELECT, INDEX_SELECT, PAD, CONCAT_SELF, STACK_SELF, SOFTMAX,
        LOG_SOFTMAX, MATMUL_SELF_T, SPLIT_FIRST, FLATTEN
    }

    /** One op and the ints its arguments come from. */
    record Step(GradOp op, int a, int b) {
    }

    /**
     * A program: the inputs' shape and values and the steps.
     *
     * @param shape  the shape of both inputs
     * @param x      the first input's values
     * @param y      the second input's values
     * @param steps  the ops in order
     */
    record Program(int[] shape, double[] x, double[] y, List<Step> steps) {

        Tensor[] inputs() {
            return new Tensor[] {Tensor.of(x.clone(), shape.clone()).requiresGrad(true),
                Tensor.of(y.clone(), shape.clone()).requiresGrad(true)};
        }

        /** Runs the program on {@code in}; the result has at most a few dozen elements. */
        Tensor apply(Tensor[] in) {
            Tensor c = in[0];
            Tensor other = in[1];
            for (Step s : steps) {
                c = step(s, c, other);
            }
            return c;
        }

        @Override
        public String toString() {
            return "Program" + Arrays.toString(shape) + " x=" + Arrays.toString(x) + " y=" + Arrays.toString(y)
                    + " " + steps;
        }
    }

    static Tensor step(Step s, Tensor c, Tensor other) {
        int[] sh = c.shape();
        int rank = sh.length;
        int a = rank == 0 ? 0 : Math.floorMod(s.a(), rank);
        int b = rank == 0 ? 0 : Math.floorMod(s.b(), rank);
        switch (s.op()) {
            case TANH:
                return c.tanh();
            case SIGMOID:
                return c.sigmoid();
            case SIN:
                return c.sin();
            case EXP_SCALED:
                return c.tanh().exp(); // bounded, so that chains of exp do not overflow
            case SOFTPLUS:
                return c.softplus();
            case SQUARE:
                return c.mul(c);
            case MUL_INPUT:
                return Arrays.equals(sh, other.shape()) ? c.mul(other) : c.mul(other.sum());
            case ADD_INPUT:
                return Arrays.equals(sh, other.shape()) ? c.add(other) : c.add(other.mean());
            case MUL_SUM_OF_INPUT:
                return c.mul(other.tanh().sum());
            case ADD_SCALAR:
                return c.add(s.a() % 3).mul(0.5);
            case DIV_POSITIVE:
                return c.div(c.mul(c).add(1)); // the denominator is at least 1
            case SUM_AXIS:
                return rank == 0 ? c.sum() : c.sum(a, s.b() % 2 == 0);
            case MEAN_AXIS:
                return rank == 0 ? c.mean() : c.mean(-1 - a, s.b() % 2 == 0);
            case LSE_AXIS:
                return rank == 0 ? c.logSumExp() : c.logSumExp(a, s.b() % 2 == 0);
            case SUM_AXES:
                return rank < 2 || a == b ? c.sum() : c.sum(new int[] {a, b - rank}, s.a() % 2 == 0);
            case VAR_AXIS:
                // a variance needs two or more elements along the axis (correction 1)
                return rank == 0 || sh[a] < 2 ? c : c.var(a, true, 1);
            case TRANSPOSE:
                return rank < 2 ? c : c.transpose(a, b);
            case PERMUTE: {
                int[] order = new int[rank];
                for (int d = 0; d < rank; d++) {
                    order[d] = (d + s.a()) % rank;
                    order[d] = Math.floorMod(order[d], rank);
                }
                return c.permute(order);
            }
            case RESHAPE_FLAT:
                return c.reshape(-1);
            case UNSQUEEZE:
                return rank >= 4 ? c : c.unsqueeze(Math.floorMod(s.a(), rank + 1));
            case SQUEEZE:
                return c.squeeze();
            case EXPAND: {
                if (rank >= 4 || c.numel() > 12) {
                    return c;
                }
                int[] target = new int[rank + 1];
                target[0] = 2;
                System.arraycopy(sh, 0, target, 1, rank);
                return c.expand(target);
            }
            case SLICE:
                return rank == 0 || sh[a] < 2 ? c : c.slice(a, 1, sh[a], 1 + Math.floorMod(s.b(), 2));
            case SELECT:
                return rank == 0 || sh[a] == 0 ? c : c.select(a, Math.floorMod(s.b(), sh[a]) - (s.b() % 2 == 0 ? 0 : sh[a]));
            case INDEX_SELECT:
                return rank == 0 || sh[a] == 0 ? c : c.indexSelect(a, new int[] {Math.floorMod(s.b(), sh[a]), 0, 0});
            case PAD:
                return rank == 0 || c.numel() > 24 ? c : c.pad(new int[] {Math.floorMod(s.a(), 2), Math.floorMod(s.b(), 2)}, 0.5);
            case CONCAT_SELF:
                return rank == 0 || c.numel() > 24 ? c : Tensor.concat(List.of(c, c.tanh()), a);
            case STACK_SELF:
                return rank >= 4 || c.numel() > 24 ? c : Tensor.stack(List.of(c.sigmoid(), c), Math.floorMod(s.a(), rank + 1));
            case SOFTMAX:
                return rank == 0 ? c : c.softmax(a);
            case LOG_SOFTMAX:
                return rank == 0 ? c : c.logSoftmax(a);
            case MATMUL_SELF_T:
                return rank != 2 ? c : c.matmul(c.t().tanh());
            case SPLIT_FIRST:
                return rank == 0 || sh[a] == 0 ? c : c.split(Math.max(1, sh[a] / 2), a).get(0);
            case FLATTEN:
                return rank < 2 ? c : c.flatten(Math.min(a, b), Math.max(a, b));
            default:
                throw new AssertionError(s.op());
        }
    }

    static Arbitrary<Program> programs(int maxSteps) {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(1, 3).array(int[].class).ofMinSize(0).ofMaxSize(3);
        Arbitrary<Step> steps = Combinators.combine(Arbitraries.of(GradOp.class),
                Arbitraries.integers().between(-4, 4), Arbitraries.integers().between(-4, 4)).as(Step::new);
        return shapes.flatMap(shape -> {
            int n = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
            Arbitrary<double[]> values = Arbitraries.doubles().between(-2, 2).ofScale(3).array(double[].class).ofSize(n);
            return Combinators.combine(values, values, steps.list().ofMinSize(1).ofMaxSize(maxSteps))
                    .as((x, y, list) -> new Program(shape, x, y, list));
        });
    }
}
