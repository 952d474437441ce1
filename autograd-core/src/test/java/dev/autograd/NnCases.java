package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;

import dev.autograd.TensorArbitraries.Sample;
import java.util.Arrays;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random conv2d and pooling problems, shared by the first-order ({@link NnGradProperties}) and second-order
 * ({@link SecondOrderGradProperties}) properties, which differ only in how large the problems may be.
 */
final class NnCases {

    private NnCases() {
    }

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

    /**
     * How large the problems may be.
     *
     * @param fullGroups      {groups, C, O} choices when groups vary (C and O multiples of groups)
     * @param plainGroups     {1, C, O} choices otherwise
     * @param maxKernel       kernel extent per axis, from 1
     * @param maxSpatial      H and W at most (and at least the window)
     * @param maxPoolBatch    N of pooling problems, from 1
     * @param maxPoolChannels C of pooling problems, from 1
     * @param maxSquarePool   the square pooling kernel, from 1
     * @param values          the values of inputs and weights of a shape
     * @param biasValues      the values of a bias of a shape
     * @param poolValues      the values of a pooling input of a shape (ties allowed)
     */
    record Limits(int[][] fullGroups, int[][] plainGroups, int maxKernel, int maxSpatial, int maxPoolBatch,
                  int maxPoolChannels, int maxSquarePool, Function<int[], Arbitrary<Sample>> values,
                  Function<int[], Arbitrary<Sample>> biasValues, Function<int[], Arbitrary<Sample>> poolValues) {
    }

    /** First-order checks: kernels up to 3, images up to 6x6, values in the default domain. */
    static final Limits FIRST_ORDER = new Limits(
            new int[][] {{1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 2, 3}, {1, 3, 2}, {2, 2, 2}, {2, 2, 4}, {3, 3, 3}, {3, 3, 6}},
            new int[][] {{1, 1, 1}, {1, 2, 1}, {1, 1, 2}, {1, 3, 2}}, 3, 6, 2, 3, 3,
            shape -> TensorArbitraries.samples(shape, ANY), shape -> TensorArbitraries.samples(shape, ANY),
            shape -> TensorArbitraries.samples(shape, ANY));

    /** Second-order checks cost O(n m) passes: kernels up to 2, images up to 4x4, one image per pool. */
    static final Limits SECOND_ORDER = new Limits(
            new int[][] {{1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {2, 2, 2}},
            new int[][] {{1, 1, 1}, {1, 2, 1}, {1, 1, 2}}, 2, 4, 1, 2, 2,
            shape -> OpArbitraries.samples(shape, -1.5, 1.5), shape -> OpArbitraries.samples(shape, -1.0, 1.0),
            shape -> OpArbitraries.samples(shape, -2.0, 2.0));

    /**
     * Conv problems. {@code full}: independent stride/padding/dilation per axis and groups; otherwise one
     * stride and padding for both axes, dilation 1, groups 1; {@code plain}: stride 1, padding 0 too.
     */
    static Arbitrary<ConvCase> convCases(Limits limits, boolean full, boolean plain) {
        Arbitrary<int[]> groupsAndChannels = Arbitraries.of(full ? limits.fullGroups() : limits.plainGroups());
        Arbitrary<Integer> one2 = Arbitraries.integers().between(1, 2);
        Arbitrary<Integer> zero1 = Arbitraries.integers().between(0, 1);
        Arbitrary<int[]> stride = plain ? Arbitraries.just(new int[] {1, 1})
                : full ? Combinators.combine(one2, one2).as((a, b) -> new int[] {a, b}) : one2.map(a -> new int[] {a, a});
        Arbitrary<int[]> padding = plain ? Arbitraries.just(new int[] {0, 0})
                : full ? Combinators.combine(zero1, zero1).as((a, b) -> new int[] {a, b}) : zero1.map(a -> new int[] {a, a});
        Arbitrary<int[]> dilation = full ? Combinators.combine(one2, one2).as((a, b) -> new int[] {a, b})
                : Arbitraries.just(new int[] {1, 1});
        Arbitrary<Integer> kernelExtent = Arbitraries.integers().between(1, limits.maxKernel());
        Arbitrary<int[]> kernel = Combinators.combine(kernelExtent, kernelExtent).as((a, b) -> new int[] {a, b});
        return Combinators.combine(groupsAndChannels, stride, padding, dilation, kernel, one2, Arbitraries.of(false, true))
                .flatAs((g, s, p, dil, k, n, withBias) -> {
                    int minH = Math.max(1, dil[0] * (k[0] - 1) + 1 - 2 * p[0]);
                    int minW = Math.max(1, dil[1] * (k[1] - 1) + 1 - 2 * p[1]);
                    return Combinators.combine(Arbitraries.integers().between(minH, limits.maxSpatial()),
                            Arbitraries.integers().between(minW, limits.maxSpatial())).flatAs((h, w) -> {
                                int[] xs = {n, g[1], h, w};
                                int[] ws = {g[2], g[1] / g[0], k[0], k[1]};
                                Arbitrary<Sample> b = withBias ? limits.biasValues().apply(new int[] {g[2]})
                                        : Arbitraries.just((Sample) null);
                                return Combinators.combine(limits.values().apply(xs), limits.values().apply(ws), b)
                                        .as((x, wt, bb) -> new ConvCase(x, wt, bb, s, p, dil, g[0]));
                            });
                });
    }

    /**
     * Pool problems: kernel 1..3 per axis, stride 1..2, padding up to half the kernel, H and W at least the
     * window; {@code square}: one kernel k, stride k, no padding; {@code distinct}: pairwise distinct values
     * (no ties in a max window).
     */
    static Arbitrary<PoolCase> poolCases(Limits limits, boolean square, boolean distinct) {
        Arbitrary<Integer> k13 = Arbitraries.integers().between(1, 3);
        Arbitrary<Integer> s12 = Arbitraries.integers().between(1, 2);
        Arbitrary<int[][]> params = square
                ? Arbitraries.integers().between(1, limits.maxSquarePool()).map(k -> new int[][] {{k, k}, {k, k}, {0, 0}})
                : Combinators.combine(k13, k13, s12, s12).flatAs((kh, kw, sh, sw) -> Combinators.combine(
                        Arbitraries.integers().between(0, kh / 2), Arbitraries.integers().between(0, kw / 2))
                        .as((ph, pw) -> new int[][] {{kh, kw}, {sh, sw}, {ph, pw}}));
        return params.flatMap(p -> {
            int minH = Math.max(1, p[0][0] - 2 * p[2][0]);
            int minW = Math.max(1, p[0][1] - 2 * p[2][1]);
            return Combinators.combine(Arbitraries.integers().between(1, limits.maxPoolBatch()),
                    Arbitraries.integers().between(1, limits.maxPoolChannels()),
                    Arbitraries.integers().between(minH, limits.maxSpatial()),
                    Arbitraries.integers().between(minW, limits.maxSpatial())).flatAs((n, c, h, w) -> {
                        int[] xs = {n, c, h, w};
                        return (distinct ? OpArbitraries.distinctSamples(xs) : limits.poolValues().apply(xs))
                                .map(x -> new PoolCase(x, p[0], p[1], p[2]));
                    });
        });
    }
}
