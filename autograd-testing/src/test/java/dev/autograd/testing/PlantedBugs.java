package dev.autograd.testing;

import dev.autograd.CustomFunction;
import dev.autograd.Tensor;

/**
 * Copies of engine ops with one classic backward bug planted in each, written as custom functions so
 * that the engine records them like built-in ops. The harness must catch every one.
 */
final class PlantedBugs {

    private PlantedBugs() {
    }

    /** exp whose backward has the wrong sign: -g e^x. */
    static final class WrongSignExp extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor y = in[0].exp();
            ctx.saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.mul(ctx.saved(0)).neg()};
        }
    }

    /**
     * a + b with b broadcast over the rows of a; the backward of b forgets the un-broadcast sum and passes
     * on the first row of g only (the right shape, the wrong values).
     */
    static final class MissingUnbroadcastSumAdd extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return in[0].add(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g, g.select(0, 0)};
        }
    }

    /** x^2 whose backward is off by a factor of 2: 4 x g. */
    static final class FactorTwoSquare extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].mul(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.mul(ctx.saved(0)).mul(4)};
        }
    }

    /**
     * a * b + a, where a is used twice: its two gradient contributions (g b and g) must be added; the bug
     * assigns the second over the first (= instead of +=) and keeps only g.
     */
    static final class AssignInsteadOfAccumulate extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0], in[1]);
            return in[0].mul(in[1]).add(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor gradA = g.mul(ctx.saved(1));
            gradA = g; // the bug: should be gradA.add(g)
            return new Tensor[] {gradA, g.mul(ctx.saved(0))};
        }
    }

    /**
     * The sum of each row of a square matrix (axis 1); the backward repeats g along the wrong axis, so
     * element [i][j] receives g[j] instead of g[i].
     */
    static final class WrongAxisRowSum extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.put("shape", in[0].shape());
            return in[0].sum(1, false);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            int[] shape = ctx.get("shape");
            return new Tensor[] {g.unsqueeze(0).expand(shape)};
        }
    }
}
