package dev.autograd;

import static dev.autograd.OpTestSupport.coarseGrid;
import static dev.autograd.OpTestSupport.distinct;
import static dev.autograd.OpTestSupport.grid;
import static dev.autograd.OpTestSupport.numel;
import static dev.autograd.OpTestSupport.offsetGrid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * FLOAT32 agrees with FLOAT64 for every op of issues 2 and 3, forward values and gradients.
 *
 * <p>For each seed, every op of a family gets random shapes, parameters and inputs. The inputs are
 * multiples of 1/64 (or 1/32, 1/16, 1/8), which float32 holds exactly, so {@code x.to(FLOAT32)} has the
 * same values as the FLOAT64 input; kinks and ties are kept away exactly as in the gradient properties
 * (values off zero for relu/abs/leakyRelu, the offset grid for clamp bounds and maximum/minimum, distinct
 * values for max/min and max pooling). The op runs in both dtypes; the FLOAT32 result must have dtype
 * FLOAT32 and the same shape, and then every value and every input gradient (from {@code backward} with
 * an all-ones upstream gradient) must satisfy
 *
 * <pre>{@code |a32 - a64| <= 1e-4 + 1e-3 * |a64|}</pre>
 *
 * <p>This allows float32's rounding (relative 6e-8 per operation) accumulated over the short sums these
 * small shapes produce, with a wide margin, while catching a float32 kernel that computes something else
 * (a wrong branch, a truncated constant, an integer division, a lost term). Masks and indices (gt, lt, ge,
 * le, eq, argmax, argmin) must match exactly in value, and neither dtype may record them.
 */
class Float32AgreementProperties {

    static final double ATOL = 1e-4;
    static final double RTOL = 1e-3;

    /** One instance of an op: FLOAT64 inputs (some requiring grad) and the function to run on them. */
    record Instance(String description, Tensor[] inputs, Function<Tensor[], Tensor> f) {
    }

    /** An op under test: a name and a generator of instances. */
    record Case(String name, Function<Random, Instance> make) {
    }

    @Property
    void elementwise(@ForAll("seeds") long seed) {
        runAll(elementwiseCases(), seed);
    }

    @Property
    void reductions(@ForAll("seeds") long seed) {
        runAll(reductionCases(), seed);
    }

    @Property
    void shapeAndIndexing(@ForAll("seeds") long seed) {
        runAll(shapeCases(), seed);
    }

    @Property(tries = 30)
    void neuralNetworkOps(@ForAll("seeds") long seed) {
        runAll(nnCases(), seed);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** Every op name covered here (used by OpCoverageTest to list the agreement coverage). */
    static List<String> allCaseNames() {
        List<String> names = new ArrayList<>();
        for (List<Case> family : List.of(elementwiseCases(), reductionCases(), shapeCases(), nnCases())) {
            family.forEach(c -> names.add(c.name()));
        }
        return names;
    }

    // ------------------------------------------------------------ the comparison

    static void runAll(List<Case> cases, long seed) {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Random r = new Random(seed * 31 + c.name().hashCode());
            Instance inst = c.make().apply(r);
            try {
                String problem = compare(inst);
                if (problem != null) {
                    failures.add(c.name() + " [" + inst.description() + "]: " + problem);
                }
            } catch (RuntimeException e) {
                failures.add(c.name() + " [" + inst.description() + "]: threw " + e);
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("FLOAT32 disagrees with FLOAT64 (seed " + seed + "):\n  "
                    + String.join("\n  ", failures));
        }
    }

    /** Runs the instance in both dtypes; null when they agree, else what differs. */
    static String compare(Instance inst) {
        int n = inst.inputs().length;
        Tensor[] in64 = new Tensor[n];
        Tensor[] in32 = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor t = inst.inputs()[i];
            in64[i] = Tensor.of(t.toDoubleArray(), t.shape()).requiresGrad(t.requiresGrad());
            in32[i] = Tensor.of(t.toFloatArray(), t.shape()).requiresGrad(t.requiresGrad());
            if (!Arrays.equals(in64[i].toDoubleArray(), in32[i].toDoubleArray())) {
                return "test setup: input " + i + " is not exact in float32";
            }
        }
        Tensor y64 = inst.f().apply(in64);
        Tensor y32 = inst.f().apply(in32);
        if (y32.dtype() != DType.FLOAT32) {
            return "FLOAT32 inputs gave a " + y32.dtype() + " result";
        }
        if (!Arrays.equals(y64.shape(), y32.shape())) {
            return "shapes differ: " + Arrays.toString(y64.shape()) + " vs " + Arrays.toString(y32.shape());
        }
        String values = close("value", y64.toDoubleArray(), y32.toDoubleArray());
        if (values != null) {
            return values;
        }
        if (y64.requiresGrad() != y32.requiresGrad()) {
            return "requiresGrad differs: " + y64.requiresGrad() + " vs " + y32.requiresGrad();
        }
        if (!y64.requiresGrad()) {
            return null;
        }
        y64.backward(Tensor.onesLike(y64));
        y32.backward(Tensor.onesLike(y32));
        for (int i = 0; i < n; i++) {
            if (!in64[i].requiresGrad()) {
                continue;
            }
            Tensor g64 = in64[i].grad();
            Tensor g32 = in32[i].grad();
            if (g64 == null || g32 == null) {
                if (g64 != g32) {
                    return "gradient of input " + i + " is null in one dtype only";
                }
                continue;
            }
            if (g32.dtype() != DType.FLOAT32) {
                return "gradient of input " + i + " has dtype " + g32.dtype();
            }
            String grads = close("gradient of input " + i, g64.toDoubleArray(), g32.toDoubleArray());
            if (grads != null) {
                return grads;
            }
        }
        return null;
    }

    static String close(String what, double[] a64, double[] a32) {
        if (a64.length != a32.length) {
            return what + ": " + a64.length + " vs " + a32.length + " elements";
        }
        for (int i = 0; i < a64.length; i++) {
            boolean ok = Math.abs(a32[i] - a64[i]) <= ATOL + RTOL * Math.abs(a64[i])
                    || (Double.isNaN(a64[i]) && Double.isNaN(a32[i]))
                    || (Double.isInfinite(a64[i]) && a64[i] == a32[i]);
            if (!ok) {
                return what + " at flat index " + i + ": float64 " + a64[i] + " vs float32 " + a32[i];
            }
        }
        return null;
    }

    // ------------------------------------------------------------ input helpers

    static Tensor t(double[] v, int[] shape, boolean grad) {
        return Tensor.of(v, shape).requiresGrad(grad);
    }

    /** A leaf of values k/64 in [lo, hi]. */
    static Tensor g(Random r, int[] shape, double lo, double hi) {
        return t(grid(r, numel(shape), lo, hi), shape, true);
    }

    static Tensor any(Random r, int[] shape) {
        return g(r, shape, -3, 3);
    }

    static Tensor awayFromZero(Random r, int[] shape) {
        return t(coarseGrid(r, numel(shape), true), shape, true);
    }

    static Tensor distinctLeaf(Random r, int[] shape) {
        return t(distinct(r, numel(shape)), shape, true);
    }

    static int[] shape(Random r) {
        return OpTestSupport.shape(r, 1, 3, 4);
    }

    static int[] shape(Random r, int minRank) {
        return OpTestSupport.shape(r, minRank, 3, 4);
    }

    /** A shape that broadcasts with {@code full}: leading axes dropped, some extents set to 1. */
    static int[] broadcastable(Random r, int[] full) {
        int drop = r.nextInt(full.length + 1);
        int[] s = new int[full.length - drop];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextInt(3) == 0 ? 1 : full[i + drop];
        }
        return s;
    }

    /** Distinct axes, a random non-empty subset, some negative. */
    static int[] axes(Random r, int rank) {
        List<Integer> all = new ArrayList<>();
        for (int a = 0; a < rank; a++) {
            if (r.nextBoolean()) {
                all.add(r.nextBoolean() ? a - rank : a);
            }
        }
        if (all.isEmpty()) {
            int a = r.nextInt(rank);
            all.add(a);
        }
        java.util.Collections.shuffle(all, r);
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    static Instance inst(String description, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return new Instance(description, inputs, f);
    }

    static String d(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            sb.append(p instanceof int[] a ? Arrays.toString(a) : String.valueOf(p)).append(' ');
        }
        return sb.toString().trim();
    }

    static Case unary(String name, Function<Random, Tensor> input, Function<Tensor, Tensor> op) {
        return new Case(name, r -> {
            Tensor x = input.apply(r);
            return inst(d(x.shape()), in -> op.apply(in[0]), x);
        });
    }

    // ------------------------------------------------------------ the ops

    static List<Case> elementwiseCases() {
        List<Case> cases = new ArrayList<>();
        // binary, broadcast
        for (String op : List.of("add", "sub", "mul", "div", "maximum", "minimum", "pow(Tensor)")) {
            cases.add(new Case(op, r -> {
                int[] s = shape(r, 0);
                int[] sb = broadcastable(r, s);
                boolean swap = r.nextBoolean();
                int[] sa = swap ? sb : s;
                int[] sbb = swap ? s : sb;
                Tensor a;
                Tensor b;
                switch (op) {
                    case "div" -> {
                        a = any(r, sa);
                        b = awayFromZero(r, sbb);
                    }
                    case "maximum", "minimum" -> {
                        a = t(coarseGrid(r, numel(sa), false), sa, true);
                        b = t(offsetGrid(r, numel(sbb)), sbb, true);
                    }
                    case "pow(Tensor)" -> {
                        a = g(r, sa, 0.5, 2);
                        b = g(r, sbb, -2, 2);
                    }
                    default -> {
                        a = any(r, sa);
                        b = any(r, sbb);
                    }
                }
                Function<Tensor[], Tensor> f = switch (op) {
                    case "add" -> in -> in[0].add(in[1]);
                    case "sub" -> in -> in[0].sub(in[1]);
                    case "mul" -> in -> in[0].mul(in[1]);
                    case "div" -> in -> in[0].div(in[1]);
                    case "maximum" -> in -> in[0].maximum(in[1]);
                    case "minimum" -> in -> in[0].minimum(in[1]);
                    default -> in -> in[0].pow(in[1]);
                };
                return inst(d(sa, sbb), f, a, b);
            }));
        }
        // double operands
        cases.add(unary("add/sub/mul/div(double)", r -> any(r, shape(r)), x -> x.add(0.75).mul(-1.5).sub(2).div(0.25)));
        cases.add(unary("maximum(double)", r -> t(coarseGrid(r, 8, false), new int[] {2, 4}, true), x -> x.maximum(0.0625)));
        cases.add(unary("minimum(double)", r -> t(coarseGrid(r, 8, false), new int[] {2, 4}, true), x -> x.minimum(-0.0625)));
        // unary
        cases.add(unary("neg", r -> any(r, shape(r)), Tensor::neg));
        cases.add(unary("pow(double)", r -> g(r, shape(r), 0.25, 3), x -> x.pow(2.5)));
        cases.add(unary("pow(int)", r -> any(r, shape(r)), x -> x.pow(3)));
        cases.add(unary("exp", r -> any(r, shape(r)), Tensor::exp));
        cases.add(unary("log", r -> g(r, shape(r), 0.25, 3), Tensor::log));
        cases.add(unary("sqrt", r -> g(r, shape(r), 0.25, 3), Tensor::sqrt));
        cases.add(unary("square", r -> any(r, shape(r)), Tensor::square));
        cases.add(unary("abs", r -> awayFromZero(r, shape(r)), Tensor::abs));
        cases.add(unary("tanh", r -> any(r, shape(r)), Tensor::tanh));
        cases.add(unary("sigmoid", r -> g(r, shape(r), -8, 8), Tensor::sigmoid));
        cases.add(unary("relu", r -> awayFromZero(r, shape(r)), Tensor::relu));
        cases.add(unary("sin", r -> any(r, shape(r)), Tensor::sin));
        cases.add(unary("cos", r -> any(r, shape(r)), Tensor::cos));
        cases.add(unary("log1p", r -> g(r, shape(r), -0.75, 3), Tensor::log1p));
        cases.add(unary("expm1", r -> any(r, shape(r)), Tensor::expm1));
        cases.add(unary("reciprocal", r -> awayFromZero(r, shape(r)), Tensor::reciprocal));
        cases.add(unary("erf", r -> any(r, shape(r)), Tensor::erf));
        cases.add(unary("gelu", r -> any(r, shape(r)), Tensor::gelu));
        cases.add(unary("gelu(tanh)", r -> any(r, shape(r)), x -> x.gelu(true)));
        cases.add(unary("softplus", r -> g(r, shape(r), -20, 20), Tensor::softplus));
        cases.add(unary("leakyRelu", r -> awayFromZero(r, shape(r)), x -> x.leakyRelu(0.125)));
        cases.add(new Case("clamp", r -> {
            Tensor x = t(coarseGrid(r, 12, false), new int[] {3, 4}, true);
            double[] bounds = offsetGrid(r, 2);
            double lo = Math.min(bounds[0], bounds[1]);
            double hi = Math.max(bounds[0], bounds[1]);
            return inst(d("bounds", lo, hi), in -> in[0].clamp(lo, hi), x);
        }));
        cases.add(new Case("where", r -> {
            int[] s = shape(r, 0);
            int[] sm = broadcastable(r, s);
            int[] sb = broadcastable(r, s);
            double[] m = new double[numel(sm)];
            for (int i = 0; i < m.length; i++) {
                m[i] = r.nextInt(2);
            }
            return inst(d(sm, s, sb), in -> Tensor.where(in[2], in[0], in[1]), any(r, s), any(r, sb), t(m, sm, false));
        }));
        // comparisons: exact masks, never recorded
        for (String op : List.of("gt", "lt", "ge", "le", "eq")) {
            cases.add(new Case(op, r -> {
                int[] s = shape(r, 0);
                int[] sb = broadcastable(r, s);
                // coarse values so that ties (eq, ge, le) really occur
                Tensor a = t(coarseGrid(r, numel(s), false), s, true);
                Tensor b = t(coarseGrid(r, numel(sb), false), sb, true);
                Function<Tensor[], Tensor> f = switch (op) {
                    case "gt" -> in -> in[0].gt(in[1]);
                    case "lt" -> in -> in[0].lt(in[1]);
                    case "ge" -> in -> in[0].ge(in[1]);
                    case "le" -> in -> in[0].le(in[1]);
                    default -> in -> in[0].eq(in[1]);
                };
                return inst(d(s, sb), f, a, b);
            }));
        }
        return cases;
    }

    static List<Case> reductionCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(unary("sum", r -> any(r, shape(r)), Tensor::sum));
        cases.add(unary("mean", r -> any(r, shape(r)), Tensor::mean));
        cases.add(axisCase("sum(axis)", false, (x, a, k) -> x.sum(a, k)));
        cases.add(axesCase("mean(axes)", false, (x, a, k) -> x.mean(a, k)));
        cases.add(unary("max", r -> distinctLeaf(r, shape(r)), Tensor::max));
        cases.add(unary("min", r -> distinctLeaf(r, shape(r)), Tensor::min));
        cases.add(axisCase("max(axis)", true, (x, a, k) -> x.max(a, k)));
        cases.add(axisCase("min(axis)", true, (x, a, k) -> x.min(a, k)));
        cases.add(axesCase("max(axes)", true, (x, a, k) -> x.max(a, k)));
        cases.add(axesCase("min(axes)", true, (x, a, k) -> x.min(a, k)));
        cases.add(unary("logSumExp", r -> any(r, shape(r)), Tensor::logSumExp));
        cases.add(axisCase("logSumExp(axis)", false, (x, a, k) -> x.logSumExp(a, k)));
        cases.add(axesCase("logSumExp(axes)", false, (x, a, k) -> x.logSumExp(a, k)));
        // var/std: distinct values (positive variance), at least 2 elements reduced for correction 1
        cases.add(unary("var", r -> distinctLeaf(r, withTwo(shape(r))), Tensor::var));
        cases.add(unary("std", r -> distinctLeaf(r, withTwo(shape(r))), Tensor::std));
        cases.add(axisCase("var(axis)", true, (x, a, k) -> x.var(a, k)));
        cases.add(axisCase("std(axis)", true, (x, a, k) -> x.std(a, k)));
        cases.add(axisCase("var(axis, correction 0)", true, (x, a, k) -> x.var(a, k, 0)));
        cases.add(axisCase("std(axis, correction 0)", true, (x, a, k) -> x.std(a, k, 0)));
        cases.add(axesCase("var(axes, correction 1)", true, (x, a, k) -> x.var(a, k, 1)));
        cases.add(axesCase("std(axes, correction 1)", true, (x, a, k) -> x.std(a, k, 1)));
        cases.add(axesCase("std(axes, correction 0)", true, (x, a, k) -> x.std(a, k, 0)));
        cases.add(unary("argmax", r -> distinctLeaf(r, shape(r)), Tensor::argmax));
        cases.add(unary("argmin", r -> distinctLeaf(r, shape(r)), Tensor::argmin));
        cases.add(axisCase("argmax(axis)", true, (x, a, k) -> x.argmax(a, k)));
        cases.add(axesCase("argmin(axes)", true, (x, a, k) -> x.argmin(a, k)));
        cases.add(new Case("matmul", r -> {
            // batched with a broadcast batch axis: [B, n, k] @ [k, m] or [1, k, m]
            int b = 1 + r.nextInt(3);
            int n = 1 + r.nextInt(4);
            int k = 1 + r.nextInt(4);
            int m = 1 + r.nextInt(4);
            int[] sb = r.nextBoolean() ? new int[] {k, m} : new int[] {1, k, m};
            return inst(d(new int[] {b, n, k}, sb), in -> in[0].matmul(in[1]), any(r, new int[] {b, n, k}), any(r, sb));
        }));
        cases.add(new Case("linear", r -> {
            // [B, n, k] (or [k]) times a weight [m, k] transposed, with a bias [m]
            int k = 1 + r.nextInt(4);
            int m = 1 + r.nextInt(4);
            int[] sx = r.nextBoolean() ? new int[] {k} : new int[] {1 + r.nextInt(3), 1 + r.nextInt(4), k};
            return inst(d(sx, new int[] {m, k}, new int[] {m}), in -> in[0].linear(in[1], in[2]), any(r, sx),
                    any(r, new int[] {m, k}), any(r, new int[] {m}));
        }));
        cases.add(new Case("matmul(vector)", r -> {
            int k = 1 + r.nextInt(4);
            int m = 1 + r.nextInt(4);
            return inst(d(k, m), in -> in[0].matmul(in[1]), any(r, new int[] {k}), any(r, new int[] {k, m}));
        }));
        return cases;
    }

    /** Every axis widened to extent >= 2, so that var/std with correction 1 reduce at least two elements. */
    static int[] withTwo(int[] s) {
        int[] out = s.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(2, out[i]);
        }
        return out;
    }

    interface AxisOp {
        Tensor apply(Tensor x, int axis, boolean keepDim);
    }

    interface AxesOp {
        Tensor apply(Tensor x, int[] axes, boolean keepDim);
    }

    static Case axisCase(String name, boolean distinctValues, AxisOp op) {
        return new Case(name, r -> {
            int[] s = withTwo(shape(r));
            Tensor x = distinctValues ? distinctLeaf(r, s) : any(r, s);
            int axis = r.nextInt(2 * s.length) - s.length;
            boolean keep = r.nextBoolean();
            return inst(d(s, "axis", axis, "keepDim", keep), in -> op.apply(in[0], axis, keep), x);
        });
    }

    static Case axesCase(String name, boolean distinctValues, AxesOp op) {
        return new Case(name, r -> {
            int[] s = withTwo(shape(r));
            Tensor x = distinctValues ? distinctLeaf(r, s) : any(r, s);
            int[] axes = axes(r, s.length);
            boolean keep = r.nextBoolean();
            return inst(d(s, "axes", axes, "keepDim", keep), in -> op.apply(in[0], axes, keep), x);
        });
    }

    static List<Case> shapeCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("reshape", r -> {
            int[] s = shape(r);
            int[] target = {-1, s[s.length - 1]};
            return inst(d(s), in -> in[0].reshape(target), any(r, s));
        }));
        cases.add(unary("t()", r -> any(r, OpTestSupport.shape(r, 2, 2, 4)), Tensor::t));
        cases.add(new Case("transpose(a, b)", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int b = r.nextInt(s.length) - s.length;
            return inst(d(s, a, b), in -> in[0].transpose(a, b), any(r, s));
        }));
        cases.add(new Case("permute", r -> {
            int[] s = OpTestSupport.shape(r, 3, 3, 4);
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
            java.util.Collections.shuffle(order, r);
            int[] o = order.stream().mapToInt(Integer::intValue).toArray();
            return inst(d(s, o), in -> in[0].permute(o), any(r, s));
        }));
        cases.add(unary("flatten", r -> any(r, shape(r)), Tensor::flatten));
        cases.add(unary("clone", r -> any(r, shape(r)), Tensor::clone));
        cases.add(new Case("flatten(start, end)", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int b = a + r.nextInt(s.length - a);
            return inst(d(s, a, b), in -> in[0].flatten(a, b), any(r, s));
        }));
        cases.add(new Case("squeeze(axis)", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            s[a] = 1;
            return inst(d(s, a), in -> in[0].squeeze(a), any(r, s));
        }));
        cases.add(unary("squeeze()", r -> any(r, new int[] {1, 1 + r.nextInt(3), 1}), Tensor::squeeze));
        cases.add(new Case("unsqueeze", r -> {
            int[] s = shape(r, 0);
            int a = r.nextInt(2 * s.length + 2) - s.length - 1;
            return inst(d(s, a), in -> in[0].unsqueeze(a), any(r, s));
        }));
        cases.add(new Case("expand", r -> {
            int[] full = shape(r);
            int[] s = broadcastable(r, full);
            return inst(d(s, full), in -> in[0].expand(full), any(r, s));
        }));
        cases.add(new Case("slice", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int start = r.nextInt(s[a] + 1);
            int end = start + r.nextInt(s[a] - start + 1);
            int step = 1 + r.nextInt(3);
            return inst(d(s, a, start, end, step), in -> in[0].slice(a, start, end, step), any(r, s));
        }));
        cases.add(new Case("select", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int i = r.nextInt(s[a]);
            return inst(d(s, a, i), in -> in[0].select(a, i), any(r, s));
        }));
        cases.add(new Case("indexSelect", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int[] idx = r.ints(1 + r.nextInt(5), 0, s[a]).toArray();
            return inst(d(s, a, idx), in -> in[0].indexSelect(a, idx), any(r, s));
        }));
        cases.add(new Case("embedding", r -> {
            int[] w = {2 + r.nextInt(4), 1 + r.nextInt(4)};
            int[] ids = r.ints(1 + r.nextInt(6), 0, w[0]).toArray();
            return inst(d(w, ids), in -> in[0].indexSelect(0, ids), any(r, w));
        }));
        cases.add(new Case("gather", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int[] is = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                is[i] = i == a ? 1 + r.nextInt(4) : 1 + r.nextInt(s[i]);
            }
            double[] idx = r.ints(numel(is), 0, s[a]).asDoubleStream().toArray();
            return inst(d(s, a, is), in -> in[0].gather(a, Tensor.of(idx, is).to(in[0].dtype())), any(r, s));
        }));
        cases.add(new Case("scatterAdd", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int[] is = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                is[i] = i == a ? 1 + r.nextInt(4) : 1 + r.nextInt(s[i]);
            }
            double[] idx = r.ints(numel(is), 0, s[a]).asDoubleStream().toArray();
            return inst(d(s, a, is), in -> in[0].scatterAdd(a, Tensor.of(idx, is).to(in[0].dtype()), in[1]),
                    any(r, s), any(r, is));
        }));
        cases.add(new Case("concat", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int[] s2 = s.clone();
            s2[a] = 1 + r.nextInt(3);
            return inst(d(s, s2, a), in -> Tensor.concat(List.of(in[0], in[1]), a), any(r, s), any(r, s2));
        }));
        cases.add(new Case("stack", r -> {
            int[] s = shape(r, 0);
            int a = r.nextInt(s.length + 1);
            return inst(d(s, a), in -> Tensor.stack(List.of(in[0], in[1]), a), any(r, s), any(r, s));
        }));
        cases.add(new Case("split(size)", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int size = 1 + r.nextInt(s[a]);
            return inst(d(s, a, size), in -> ShapeGradProperties.weighted(in[0].split(size, a), a), any(r, s));
        }));
        cases.add(new Case("split(sizes)", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int first = r.nextInt(s[a] + 1);
            int[] sizes = {first, s[a] - first};
            return inst(d(s, a, sizes), in -> ShapeGradProperties.weighted(in[0].split(sizes, a), a), any(r, s));
        }));
        cases.add(new Case("chunk", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            int chunks = 1 + r.nextInt(4);
            return inst(d(s, a, chunks), in -> ShapeGradProperties.weighted(in[0].chunk(chunks, a), a), any(r, s));
        }));
        cases.add(new Case("pad", r -> {
            int[] s = shape(r);
            int[] pads = r.ints(2 * (1 + r.nextInt(s.length)), 0, 3).toArray();
            double value = grid(r, 1, -2, 2)[0];
            return inst(d(s, pads, value), in -> in[0].pad(pads, value), any(r, s));
        }));
        cases.add(unary("to", r -> any(r, shape(r)), x -> x.to(DType.FLOAT64).mul(2).to(x.dtype())));
        return cases;
    }

    static List<Case> nnCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("softmax", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            return inst(d(s, a), in -> in[0].softmax(a), any(r, s));
        }));
        cases.add(new Case("logSoftmax", r -> {
            int[] s = shape(r);
            int a = r.nextInt(s.length);
            return inst(d(s, a), in -> in[0].logSoftmax(a), any(r, s));
        }));
        cases.add(new Case("softmax(near 1000)", r -> {
            int[] s = shape(r);
            return inst(d(s), in -> in[0].add(1000).softmax(-1), any(r, s));
        }));
        cases.add(new Case("conv2d", r -> {
            int[][] gco = {{1, 1, 2}, {1, 3, 2}, {2, 2, 4}, {3, 3, 3}};
            int[] p = gco[r.nextInt(gco.length)];
            int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)};
            int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(2)};
            int[] padding = {r.nextInt(2), r.nextInt(2)};
            int[] dilation = {1 + r.nextInt(2), 1 + r.nextInt(2)};
            int h = Math.max(dilation[0] * (k[0] - 1) + 1 - 2 * padding[0], 1) + r.nextInt(3);
            int w = Math.max(dilation[1] * (k[1] - 1) + 1 - 2 * padding[1], 1) + r.nextInt(3);
            int[] xs = {1 + r.nextInt(2), p[1], h, w};
            int[] ws = {p[2], p[1] / p[0], k[0], k[1]};
            return inst(d(xs, ws, "stride", stride, "padding", padding, "dilation", dilation, "groups", p[0]),
                    in -> in[0].conv2d(in[1], in[2], stride, padding, dilation, p[0]),
                    any(r, xs), any(r, ws), any(r, new int[] {p[2]}));
        }));
        cases.add(new Case("conv2d(stride, padding)", r -> {
            int[] xs = {1, 2, 4 + r.nextInt(3), 4 + r.nextInt(3)};
            int[] ws = {2, 2, 3, 3};
            int s = 1 + r.nextInt(2);
            int p = r.nextInt(2);
            return inst(d(xs, s, p), in -> in[0].conv2d(in[1], null, s, p), any(r, xs), any(r, ws));
        }));
        for (boolean max : new boolean[] {true, false}) {
            cases.add(new Case(max ? "maxPool2d" : "avgPool2d", r -> {
                int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)};
                int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(2)};
                int[] padding = {r.nextInt(k[0] / 2 + 1), r.nextInt(k[1] / 2 + 1)};
                int[] xs = {1 + r.nextInt(2), 1 + r.nextInt(3), Math.max(1, k[0] - 2 * padding[0]) + r.nextInt(3),
                        Math.max(1, k[1] - 2 * padding[1]) + r.nextInt(3)};
                Tensor x = max ? distinctLeaf(r, xs) : any(r, xs);
                return inst(d(xs, "kernel", k, "stride", stride, "padding", padding), max
                        ? in -> in[0].maxPool2d(k, stride, padding)
                        : in -> in[0].avgPool2d(k, stride, padding), x);
            }));
        }
        cases.add(unary("maxPool2d(k)", r -> distinctLeaf(r, new int[] {1, 2, 4, 6}), x -> x.maxPool2d(2)));
        cases.add(unary("avgPool2d(k)", r -> any(r, new int[] {2, 1, 6, 3}), x -> x.avgPool2d(3)));
        return cases;
    }
}
