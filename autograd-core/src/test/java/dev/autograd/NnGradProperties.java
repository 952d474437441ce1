package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;

import java.util.Arrays;

import dev.autograd.OpArbitraries.AxisCase;
import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck of softmax, logSoftmax, conv2d (every overload: bias or none, stride, padding, dilation,
 * groups) and max/avg pooling on small random shapes: N <= 2, C <= 3 (groups dividing C and O),
 * H, W <= 6, kernels <= 3, stride <= 2, padding <= 1, dilation <= 2, every output at least 1x1. Max
 * pooling gets pairwise distinct values so that no window has a tie. The conv and pool properties run
 * 30 tries each: a full-Jacobian check of a conv costs hundreds of forward and backward passes.
 */
class NnGradProperties {

    /** A conv2d problem; {@code b} is null for no bias. */
    record ConvCase(Sample x, Sample w, Sample b, int[] stride, int[] padding, int[] dilation, int groups) {
        @Override
        public String toString() {
            return "x" + Arrays.toString(x.shape()) + " w" + Arrays.toString(w.shape()) + " bias=" + (b != null)
                    + " stride=" + Arrays.toString(stride) + " padding=" + Arrays.toString(padding) + " dilation="
                    + Arrays.toString(dilation) + " groups=" + groups + " x=" + x + " w=" + w + " b=" + b;
        }

        Tensor bias() {
            return b == null ? null : b.leaf();
        }

        Tensor[] leaves() {
            return b == null ? new Tensor[] {x.leaf(), w.leaf()} : new Tensor[] {x.leaf(), w.leaf(), b.leaf()};
        }
    }

    /** A pooling problem. */
    record PoolCase(Sample x, int[] kernel, int[] stride, int[] padding) {
        @Override
        public String toString() {
            return x + " kernel=" + Arrays.toString(kernel) + " stride=" + Arrays.toString(stride) + " padding="
                    + Arrays.toString(padding);
        }
    }

    // ------------------------------------------------------------ softmax

    @Property
    void softmax(@ForAll("axes") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].softmax(c.axis()), c.x().leaf());
    }

    @Property
    void logSoftmax(@ForAll("axes") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].logSoftmax(c.axis()), c.x().leaf());
    }

    @Property
    void softmaxOfLargeLogits(@ForAll("axes") AxisCase c) {
        // logits near 1000: the same gradient as without the shift (softmax is shift-invariant)
        GradCheck.assertGradientsMatch(in -> in[0].add(1000).softmax(c.axis()), c.x().leaf());
    }

    // ------------------------------------------------------------ conv2d

    @Property(tries = 30)
    void conv2dFull(@ForAll("fullConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2], c.stride(),
                c.padding(), c.dilation(), c.groups()), c.leaves());
    }

    @Property(tries = 30)
    void conv2dStridePadding(@ForAll("squareConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2], c.stride()[0],
                c.padding()[0]), c.leaves());
    }

    @Property(tries = 30)
    void conv2dPlain(@ForAll("plainConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2]), c.leaves());
    }

    // ------------------------------------------------------------ pooling

    @Property(tries = 30)
    void maxPool2d(@ForAll("distinctPoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].maxPool2d(c.kernel(), c.stride(), c.padding()), c.x().leaf());
    }

    @Property(tries = 30)
    void maxPool2dSquare(@ForAll("distinctSquarePoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].maxPool2d(c.kernel()[0]), c.x().leaf());
    }

    @Property(tries = 30)
    void avgPool2d(@ForAll("poolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].avgPool2d(c.kernel(), c.stride(), c.padding()), c.x().leaf());
    }

    @Property(tries = 30)
    void avgPool2dSquare(@ForAll("squarePoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].avgPool2d(c.kernel()[0]), c.x().leaf());
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<AxisCase> axes() {
        return OpArbitraries.oneAxis(TensorArbitraries.samples(1, 3, ANY));
    }

    @Provide
    Arbitrary<ConvCase> fullConvCases() {
        return convCases(true, false);
    }

    @Provide
    Arbitrary<ConvCase> squareConvCases() {
        return convCases(false, false);
    }

    @Provide
    Arbitrary<ConvCase> plainConvCases() {
        return convCases(false, true);
    }

    /**
     * Conv problems. {@code full}: independent stride/padding/dilation per axis and groups; otherwise one
     * stride and padding for both axes, dilation 1, groups 1; {@code plain}: stride 1, padding 0 too.
     */
    static Arbitrary<ConvCase> convCases(boolean full, boolean plain) {
        Arbitrary<int[]> groupsAndChannels = full
                // {groups, C, O}: C and O multiples of groups, C <= 3
                ? Arbitraries.of(new int[] {1, 1, 1}, new int[] {1, 1, 2}, new int[] {1, 2, 1}, new int[] {1, 2, 3},
                        new int[] {1, 3, 2}, new int[] {2, 2, 2}, new int[] {2, 2, 4}, new int[] {3, 3, 3},
                        new int[] {3, 3, 6})
                : Arbitraries.of(new int[] {1, 1, 1}, new int[] {1, 2, 1}, new int[] {1, 1, 2}, new int[] {1, 3, 2});
        Arbitrary<int[]> pair12 = plain ? Arbitraries.just(new int[] {1, 1})
                : full ? Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2))
                        .as((a, b) -> new int[] {a, b})
                        : Arbitraries.integers().between(1, 2).map(a -> new int[] {a, a});
        Arbitrary<int[]> padding = plain ? Arbitraries.just(new int[] {0, 0})
                : full ? Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 1))
                        .as((a, b) -> new int[] {a, b})
                        : Arbitraries.integers().between(0, 1).map(a -> new int[] {a, a});
        Arbitrary<int[]> dilation = full ? Combinators.combine(Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(1, 2)).as((a, b) -> new int[] {a, b}) : Arbitraries.just(new int[] {1, 1});
        Arbitrary<int[]> kernel = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 3)).as((a, b) -> new int[] {a, b});
        return Combinators.combine(groupsAndChannels, pair12, padding, dilation, kernel,
                Arbitraries.integers().between(1, 2), Arbitraries.of(false, true))
                .as((gco, stride, pad, dil, k, n, bias) -> new Object[] {gco, stride, pad, dil, k, n, bias})
                .flatMap(p -> {
                    int[] gco = (int[]) p[0];
                    int[] stride = (int[]) p[1];
                    int[] pad = (int[]) p[2];
                    int[] dil = (int[]) p[3];
                    int[] k = (int[]) p[4];
                    int n = (Integer) p[5];
                    boolean withBias = (Boolean) p[6];
                    int minH = Math.max(1, dil[0] * (k[0] - 1) + 1 - 2 * pad[0]);
                    int minW = Math.max(1, dil[1] * (k[1] - 1) + 1 - 2 * pad[1]);
                    return Combinators.combine(Arbitraries.integers().between(minH, 6),
                            Arbitraries.integers().between(minW, 6)).as((h, w) -> new int[] {h, w}).flatMap(hw -> {
                                int[] xs = {n, gco[1], hw[0], hw[1]};
                                int[] ws = {gco[2], gco[1] / gco[0], k[0], k[1]};
                                Arbitrary<Sample> b = withBias ? TensorArbitraries.samples(new int[] {gco[2]}, ANY)
                                        : Arbitraries.just((Sample) null);
                                return Combinators.combine(TensorArbitraries.samples(xs, ANY),
                                        TensorArbitraries.samples(ws, ANY), b)
                                        .as((x, w, bb) -> new ConvCase(x, w, bb, stride, pad, dil, gco[0]));
                            });
                });
    }

    @Provide
    Arbitrary<PoolCase> distinctPoolCases() {
        return poolCases(false, true);
    }

    @Provide
    Arbitrary<PoolCase> distinctSquarePoolCases() {
        return poolCases(true, true);
    }

    @Provide
    Arbitrary<PoolCase> poolCases() {
        return poolCases(false, false);
    }

    @Provide
    Arbitrary<PoolCase> squarePoolCases() {
        return poolCases(true, false);
    }

    /**
     * Pool problems: kernel 1..3 per axis, stride 1..2, padding 0..kernel/2 (rounded down: at most half the
     * kernel), H and W up to 6 and at least the window; {@code square}: one kernel k, stride k, no padding.
     */
    static Arbitrary<PoolCase> poolCases(boolean square, boolean distinct) {
        Arbitrary<int[][]> params = square
                ? Arbitraries.integers().between(1, 3).map(k -> new int[][] {{k, k}, {k, k}, {0, 0}})
                : Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2))
                        .as((kh, kw, sh, sw) -> new int[][] {{kh, kw}, {sh, sw}})
                        .flatMap(ks -> Combinators.combine(Arbitraries.integers().between(0, ks[0][0] / 2),
                                Arbitraries.integers().between(0, ks[0][1] / 2))
                                .as((ph, pw) -> new int[][] {ks[0], ks[1], {ph, pw}}));
        return params.flatMap(p -> {
            int minH = Math.max(1, p[0][0] - 2 * p[2][0]);
            int minW = Math.max(1, p[0][1] - 2 * p[2][1]);
            return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 3),
                    Arbitraries.integers().between(minH, 6), Arbitraries.integers().between(minW, 6))
                    .as((n, c, h, w) -> new int[] {n, c, h, w})
                    .flatMap(xs -> (distinct ? OpArbitraries.distinctSamples(xs) : TensorArbitraries.samples(xs, ANY))
                            .map(x -> new PoolCase(x, p[0], p[1], p[2])));
        });
    }
}
