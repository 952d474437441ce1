package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck of the shape ops of issue 3 on random shapes and parameters: flatten, squeeze, unsqueeze,
 * expand, concat, stack, split, chunk, pad and the dtype conversion {@code to}. Ops returning several
 * pieces are checked through {@code concat(piece_i * (i + 1))}, so a gradient sent to the wrong piece
 * shows up. Each function ends in {@code sin} where the op is linear so that the upstream gradient of
 * the op is not constant.
 */
class ShapeGradProperties {

    record AxisParams(Sample x, int a, int b) {
    }

    record ExpandCase(Sample x, int[] target) {
        @Override
        public String toString() {
            return x + " -> " + Arrays.toString(target);
        }
    }

    record ListCase(List<Sample> parts, int axis) {
    }

    record SizesCase(Sample x, int axis, int[] sizes) {
        @Override
        public String toString() {
            return x + " axis=" + axis + " sizes=" + Arrays.toString(sizes);
        }
    }

    record PadCase(Sample x, int[] pads, double value) {
        @Override
        public String toString() {
            return x + " pads=" + Arrays.toString(pads) + " value=" + value;
        }
    }

    @Property
    void flattenAll(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].flatten().sin(), x.leaf());
    }

    @Property
    void flattenRange(@ForAll("flattenRanges") AxisParams p) {
        GradCheck.assertGradientsMatch(in -> in[0].flatten(p.a(), p.b()).sin(), p.x().leaf());
    }

    @Property
    void squeezeAxis(@ForAll("withUnitAxis") AxisParams p) {
        GradCheck.assertGradientsMatch(in -> in[0].squeeze(p.a()).sin(), p.x().leaf());
    }

    @Property
    void squeezeAll(@ForAll("withUnitAxis") AxisParams p) {
        GradCheck.assertGradientsMatch(in -> in[0].squeeze().sin(), p.x().leaf());
    }

    @Property
    void unsqueeze(@ForAll("unsqueezeAxes") AxisParams p) {
        GradCheck.assertGradientsMatch(in -> in[0].unsqueeze(p.a()).sin(), p.x().leaf());
    }

    @Property
    void expand(@ForAll("expandCases") ExpandCase c) {
        // repeated elements: the gradient sums over the copies
        GradCheck.assertGradientsMatch(in -> in[0].expand(c.target()).sin(), c.x().leaf());
    }

    @Property
    void concat(@ForAll("concatCases") ListCase c) {
        Tensor[] leaves = c.parts().stream().map(Sample::leaf).toArray(Tensor[]::new);
        GradCheck.assertGradientsMatch(in -> Tensor.concat(Arrays.asList(in), c.axis()).sin(), leaves);
    }

    @Property
    void stack(@ForAll("stackCases") ListCase c) {
        Tensor[] leaves = c.parts().stream().map(Sample::leaf).toArray(Tensor[]::new);
        GradCheck.assertGradientsMatch(in -> Tensor.stack(Arrays.asList(in), c.axis()).sin(), leaves);
    }

    @Property
    void splitBySize(@ForAll("splitSizes") SizesCase c) {
        int size = c.sizes()[0];
        GradCheck.assertGradientsMatch(in -> weighted(in[0].split(size, c.axis()), c.axis()), c.x().leaf());
    }

    @Property
    void splitBySizes(@ForAll("splitSizeLists") SizesCase c) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].split(c.sizes(), c.axis()), c.axis()), c.x().leaf());
    }

    @Property
    void chunk(@ForAll("splitSizes") SizesCase c) {
        int chunks = c.sizes()[0];
        GradCheck.assertGradientsMatch(in -> weighted(in[0].chunk(chunks, c.axis()), c.axis()), c.x().leaf());
    }

    @Property
    void pad(@ForAll("padCases") PadCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].pad(c.pads(), c.value()).sin(), c.x().leaf());
    }

    @Property
    void toLowerPrecisionAndBack(@ForAll("any") Sample x, @ForAll("lowerPrecision") DType dtype) {
        // to() is the identity for autograd, up to rounding the gradient into the source dtype. The round trip
        // rounds the values, so a central difference of 2 round(x) errs by at most ulp(|x| + eps) / eps; the
        // function is linear, so a large step adds no truncation error. With |x| <= 3: float32 (eps 1e-2) errs
        // below 1e-5; binary16 and bfloat16 (eps 1, |x + eps| <= 4, ulp 2^-8 and 2^-5) below 0.004 and 0.032,
        // while a wrong gradient (the identity forgotten, the factor 2 lost) is off by 1 or more.
        double eps = dtype == DType.FLOAT32 ? 1e-2 : 1;
        double atol = dtype == DType.FLOAT32 ? 1e-4 : dtype == DType.FLOAT16 ? 0.01 : 0.05;
        GradCheck.options().eps(eps).atol(atol).assertGradientsMatch(
                in -> in[0].to(dtype).mul(2).to(DType.FLOAT64), x.leaf());
    }

    @Provide
    Arbitrary<DType> lowerPrecision() {
        return Arbitraries.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);
    }

    @Property
    void toSameDtype(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].to(DType.FLOAT64).sin(), x.leaf());
    }

    /** concat(piece_i * (i + 1)) along the axis, then sin. */
    static Tensor weighted(List<Tensor> pieces, int axis) {
        List<Tensor> scaled = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            scaled.add(pieces.get(i).mul(i + 1));
        }
        return Tensor.concat(scaled, axis).sin();
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<Sample> any() {
        return TensorArbitraries.samples(ANY);
    }

    @Provide
    Arbitrary<AxisParams> flattenRanges() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> {
            int r = x.rank();
            return Arbitraries.integers().between(0, r - 1).flatMap(s -> Arbitraries.integers().between(s, r - 1)
                    .flatMap(e -> Arbitraries.of(false, true).map(neg -> neg
                            ? new AxisParams(x, s - r, e - r) : new AxisParams(x, s, e))));
        });
    }

    /** A sample with an extent-1 axis inserted at a random position; a = that axis (maybe negative). */
    @Provide
    Arbitrary<AxisParams> withUnitAxis() {
        return TensorArbitraries.shapes(0, 3).flatMap(s -> Arbitraries.integers().between(0, s.length).flatMap(pos -> {
            int[] shape = new int[s.length + 1];
            for (int d = 0, o = 0; d < shape.length; d++) {
                shape[d] = d == pos ? 1 : s[o++];
            }
            return Combinators.combine(TensorArbitraries.samples(shape, ANY), Arbitraries.of(false, true))
                    .as((x, neg) -> new AxisParams(x, neg ? pos - shape.length : pos, 0));
        }));
    }

    @Provide
    Arbitrary<AxisParams> unsqueezeAxes() {
        return TensorArbitraries.samples(ANY).flatMap(x -> Arbitraries.integers()
                .between(-(x.rank() + 1), x.rank()).map(a -> new AxisParams(x, a, 0)));
    }

    @Provide
    Arbitrary<ExpandCase> expandCases() {
        // Only expansions that repeat something: a target equal to the source shape records no expand.
        return OpArbitraries.broadcastShapes()
                .filter(p -> !Arrays.equals(TensorArbitraries.broadcast(p.a(), p.b()), p.a()))
                .flatMap(p -> {
                    int[] target = TensorArbitraries.broadcast(p.a(), p.b());
                    return TensorArbitraries.samples(p.a(), ANY).map(x -> new ExpandCase(x, target));
                });
    }

    @Provide
    Arbitrary<ListCase> concatCases() {
        return TensorArbitraries.shapes(1, 3).flatMap(shape -> Arbitraries.integers().between(0, shape.length - 1)
                .flatMap(axis -> Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(3)
                        .flatMap(extents -> {
                            List<Arbitrary<Sample>> parts = new ArrayList<>();
                            for (int e : extents) {
                                int[] s = shape.clone();
                                s[axis] = e; // extent 0 is allowed: an empty part
                                parts.add(TensorArbitraries.samples(s, ANY));
                            }
                            return Combinators.combine(parts).as(l -> l).flatMap(l -> Arbitraries.of(false, true)
                                    .map(neg -> new ListCase(l, neg ? axis - shape.length : axis)));
                        })));
    }

    @Provide
    Arbitrary<ListCase> stackCases() {
        return TensorArbitraries.shapes(0, 2).flatMap(shape -> Arbitraries.integers().between(1, 3)
                .flatMap(count -> TensorArbitraries.samples(shape, ANY).list().ofSize(count))
                .flatMap(parts -> Arbitraries.integers().between(-(shape.length + 1), shape.length)
                        .map(axis -> new ListCase(parts, axis))));
    }

    /** sizes[0] is a piece size (or a chunk count) in 1..extent+1. */
    @Provide
    Arbitrary<SizesCase> splitSizes() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(0, x.rank() - 1)
                .flatMap(axis -> Arbitraries.integers().between(1, x.shape()[axis] + 1)
                        .map(size -> new SizesCase(x, axis, new int[] {size}))));
    }

    /** Random non-negative sizes adding up to the extent (zeros allowed). */
    @Provide
    Arbitrary<SizesCase> splitSizeLists() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(0, x.rank() - 1)
                .flatMap(axis -> {
                    int n = x.shape()[axis];
                    // n + k - 1 cut points: each of n units goes to one of k parts
                    return Arbitraries.integers().between(1, 4).flatMap(k -> Arbitraries.integers().between(0, k - 1)
                            .list().ofSize(n).map(owners -> {
                                int[] sizes = new int[k];
                                for (int o : owners) {
                                    sizes[o]++;
                                }
                                return new SizesCase(x, axis, sizes);
                            }));
                }));
    }

    @Provide
    Arbitrary<PadCase> padCases() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(1, x.rank())
                .flatMap(pairs -> Arbitraries.integers().between(0, 2).list().ofSize(2 * pairs))
                .flatMap(pads -> Arbitraries.doubles().between(-2, 2).ofScale(1)
                        .map(v -> new PadCase(x, TensorArbitraries.toIntArray(pads), v))));
    }

    @Property
    void cloneOf(@ForAll("any") Sample x) {
        // a differentiable copy: the identity's gradient, through a non-linear function of the copy
        GradCheck.assertGradientsMatch(in -> in[0].clone().sin(), x.leaf());
    }
}
