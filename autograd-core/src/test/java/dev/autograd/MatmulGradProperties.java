package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;

import dev.autograd.TensorArbitraries.Sample;
import dev.autograd.TensorArbitraries.SamplePair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** matmul gradients equal finite differences in every NumPy case, including broadcast batch dims. */
class MatmulGradProperties {

    @Property
    void vectorDotVector(@ForAll("vectorVector") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void matrixMatrix(@ForAll("matrixMatrix") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void vectorMatrix(@ForAll("vectorMatrix") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void matrixVector(@ForAll("matrixVector") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void batchedWithBroadcastBatchDims(@ForAll("batched") SamplePair p) {
        Tensor a = p.a().leaf();
        Tensor b = p.b().leaf();
        // shape rule: broadcast(batch a, batch b) + [m, n]
        int[] sa = p.a().shape();
        int[] sb = p.b().shape();
        int[] batch = TensorArbitraries.broadcast(
                Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
        int[] expected = Arrays.copyOf(batch, batch.length + 2);
        expected[batch.length] = sa[sa.length - 2];
        expected[batch.length + 1] = sb[sb.length - 1];
        assertArrayEquals(expected, a.matmul(b).shape(), () -> "shape of " + p);
        GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]), a, b);
    }

    /** An input [..., in] (0 to 2 leading axes), a weight [out, in] and maybe a bias [out]. */
    record LinearCase(Sample x, Sample w, Sample b) {
    }

    @Property
    void linear(@ForAll("linearCases") LinearCase c) {
        Tensor x = c.x().leaf();
        Tensor w = c.w().leaf();
        int[] expected = c.x().shape().clone();
        expected[expected.length - 1] = c.w().shape()[0];
        if (c.b() == null) {
            assertArrayEquals(expected, x.linear(w, null).shape(), () -> "shape of " + c);
            GradCheck.assertGradientsMatch(in -> in[0].linear(in[1], null), x, w);
        } else {
            assertArrayEquals(expected, x.linear(w, c.b().constant()).shape(), () -> "shape of " + c);
            GradCheck.assertGradientsMatch(in -> in[0].linear(in[1], in[2]), x, w, c.b().leaf());
        }
    }

    @Provide
    Arbitrary<LinearCase> linearCases() {
        Arbitrary<int[]> leading = dim().array(int[].class).ofMinSize(0).ofMaxSize(2);
        return Combinators.combine(leading, dim(), dim(), Arbitraries.of(true, false))
                .flatAs((lead, in, out, bias) -> {
                    int[] xs = Arrays.copyOf(lead, lead.length + 1);
                    xs[lead.length] = in;
                    Arbitrary<Sample> b = bias ? TensorArbitraries.samples(new int[] {out}, ANY)
                            : Arbitraries.just(null);
                    return Combinators.combine(TensorArbitraries.samples(xs, ANY),
                            TensorArbitraries.samples(new int[] {out, in}, ANY), b).as(LinearCase::new);
                });
    }

    @Provide
    Arbitrary<SamplePair> vectorVector() {
        return dim().flatMap(k -> pair(new int[] {k}, new int[] {k}));
    }

    @Provide
    Arbitrary<SamplePair> matrixMatrix() {
        return Combinators.combine(dim(), dim(), dim()).flatAs((m, k, n) -> pair(new int[] {m, k}, new int[] {k, n}));
    }

    @Provide
    Arbitrary<SamplePair> vectorMatrix() {
        return Combinators.combine(dim(), dim()).flatAs((k, n) -> pair(new int[] {k}, new int[] {k, n}));
    }

    @Provide
    Arbitrary<SamplePair> matrixVector() {
        return Combinators.combine(dim(), dim()).flatAs((m, k) -> pair(new int[] {m, k}, new int[] {k}));
    }

    /** Broadcast-compatible batch shapes of rank 0..2 (one side may have no batch at all), then [m,k] @ [k,n]. */
    @Provide
    Arbitrary<SamplePair> batched() {
        return Combinators.combine(TensorArbitraries.broadcastShapePairs(0, 2), dim(), dim(), dim())
                .flatAs((batches, m, k, n) -> pair(
                        concat(batches.a(), m, k),
                        concat(batches.b(), k, n)));
    }

    private static Arbitrary<Integer> dim() {
        return Arbitraries.integers().between(1, TensorArbitraries.MAX_DIM);
    }

    private static Arbitrary<SamplePair> pair(int[] a, int[] b) {
        Arbitrary<Sample> sa = TensorArbitraries.samples(a, ANY);
        Arbitrary<Sample> sb = TensorArbitraries.samples(b, ANY);
        return Combinators.combine(sa, sb).as(SamplePair::new);
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }
}
