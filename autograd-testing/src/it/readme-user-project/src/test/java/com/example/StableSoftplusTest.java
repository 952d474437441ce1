package com.example;

import dev.autograd.CustomFunction;
import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import dev.autograd.testing.Domain;
import dev.autograd.testing.TensorArbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class StableSoftplusTest {

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
        // rank 0..3, extents 1..4, values in [-20, 20] kept 0.05 away from the kink of relu and abs at 0
        return TensorArbitraries.tensors(TensorArbitraries.shapes(0, 3, 4), Domain.bounded(-20, 20).awayFrom(0.05, 0));
    }

    @Property(tries = 200)
    void softplusHasTheRightGradient(@ForAll("inputs") Tensor x) {
        GradCheck.assertGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
    }
}
