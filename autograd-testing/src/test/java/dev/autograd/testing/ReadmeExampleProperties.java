package dev.autograd.testing;

import dev.autograd.CustomFunction;
import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The custom op of the README's user project ({@code src/it/readme-user-project}, built by the invoker) checked
 * in this module's own suite too, where a failure points at the library rather than at the invoked build.
 */
class ReadmeExampleProperties {

    /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow at x = 1000. Its derivative is sigmoid(x). */
    static final class StableSoftplus extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor x = in[0];
            ctx.saveForBackward(x);
            return x.relu().add(x.abs().neg().exp().log1p());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(0).sigmoid())};
        }
    }

    @Provide
    Arbitrary<Tensor> inputs() {
        // any rank 0..3, extents 1..4, values in [-20, 20] but not within 0.05 of relu's and abs's kink at 0
        return TensorArbitraries.tensors(TensorArbitraries.shapes(0, 3, 4), Domain.bounded(-20, 20).awayFrom(0.05, 0));
    }

    @Property
    void softplusHasTheRightGradient(@ForAll("inputs") Tensor x) {
        GradCheck.assertGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
    }

    @Property(tries = 20)
    void softplusHasTheRightSecondDerivative(@ForAll("inputs") Tensor x) {
        GradCheck.assertSecondOrderGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
    }

    @Property
    void softplusInABroadcastExpression(@ForAll("pairs") Tensor[] ab) {
        GradCheck.options().mode(GradCheck.Mode.FAST)
                .assertGradientsMatch(in -> new StableSoftplus().apply(in[0].mul(in[1])), ab);
    }

    @Provide
    Arbitrary<Tensor[]> pairs() {
        return TensorArbitraries.broadcastPairs(3, 4, Domain.bounded(-3, 3), Domain.bounded(-3, 3));
    }
}
