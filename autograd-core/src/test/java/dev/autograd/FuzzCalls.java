package dev.autograd;

import static dev.autograd.FuzzProperties.affordable;
import static dev.autograd.FuzzProperties.count;
import static dev.autograd.FuzzProperties.hasNegative;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

import dev.autograd.FuzzProperties.Invocation;
import dev.autograd.FuzzProperties.Run;
import dev.autograd.FuzzProperties.Step;

/**
 * Turns a fuzzer {@link Step} into a call of the public API: picks its tensors from the run's pool, makes
 * its shapes, axes and values from the step's raw ints and doubles, and, where it is simple to know, sets
 * the shape and dtype the call must return. Returns null for a call that would allocate more than the
 * fuzzer allows (a result the engine could hold but the test JVM should not).
 */
final class FuzzCalls {

    private FuzzCalls() {
    }

    static Invocation make(Run run, Step s) {
        Tensor x = run.pick(s.i(0));
        Tensor y = run.pick(s.i(1));
        Tensor xa = s.isNull(0) ? null : x;
        Tensor ya = s.isNull(1) ? null : y;
        int[] xs = x.shape();
        DType xd = x.dtype();
        double v = s.value();
        switch (s.op()) {
            // ------------------------------------------------------------ creation
            case OF_DOUBLE, OF_FLOAT -> {
                int[] shape = shape(s, 2);
                if (!hasNegative(shape) && !affordable(count(shape))) {
                    return null;
                }
                long n = hasNegative(shape) ? 3 : count(shape);
                // now and then one value too many or too few, which must be refused
                int length = (int) Math.min(n + (s.flag() && s.i(9) % 5 == 0 ? (s.i(8) % 2 == 0 ? 1 : -1) : 0),
                        FuzzProperties.OUTPUT_LIMIT);
                double[] data = values(Math.max(0, length), v);
                int[] shapeArg = s.isNull(2) ? null : shape;
                if (s.op() == FuzzProperties.Op.OF_DOUBLE) {
                    double[] d = s.isNull(0) ? null : data;
                    expect(run, shape, DType.FLOAT64);
                    return call(() -> Tensor.of(d, shapeArg), "of(double[" + data.length + "], " + str(shapeArg) + ")");
                }
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                float[] fa = s.isNull(0) ? null : f;
                expect(run, shape, DType.FLOAT32);
                return call(() -> Tensor.of(fa, shapeArg), "of(float[" + f.length + "], " + str(shapeArg) + ")");
            }
            case SCALAR -> {
                DType d = dtype(s);
                expect(run, new int[0], d);
                return call(() -> Tensor.scalar(v, d), "scalar(" + v + ", " + d + ")");
            }
            case ZEROS, ONES, FULL, RAND, RANDN -> {
                int[] shape = shape(s, 2);
                if (!hasNegative(shape) && !affordable(count(shape))) {
                    return null;
                }
                DType d = dtype(s);
                int[] shapeArg = s.isNull(2) ? null : shape;
                Random random = s.isNull(1) ? null : new Random(s.i(9));
                expect(run, shape, d);
                String args = d + ", " + str(shapeArg);
                return switch (s.op()) {
                    case ZEROS -> call(() -> Tensor.zeros(d, shapeArg), "zeros(" + args + ")");
                    case ONES -> call(() -> Tensor.ones(d, shapeArg), "ones(" + args + ")");
                    case FULL -> call(() -> Tensor.full(d, v, shapeArg), "full(" + d + ", " + v + ", " + str(shapeArg) + ")");
                    case RAND -> call(() -> Tensor.rand(random, d, shapeArg), "rand(" + random + ", " + args + ")");
                    default -> call(() -> Tensor.randn(random, d, shapeArg), "randn(" + random + ", " + args + ")");
                };
            }
            case ARANGE_N -> {
                int n = s.i(2);
                if (!affordable(n)) {
                    return null;
                }
                expect(run, new int[] {Math.max(n, 0)}, DType.FLOAT64);
                return call(() -> Tensor.arange(n), "arange(" + n + ")");
            }
            case ARANGE -> {
                double start = s.i(2);
                double end = s.flag() ? v : s.i(3);
                double step = s.i(4) % 3 == 0 ? v : s.i(4);
                double n = Math.ceil((end - start) / step);
                if (n > FuzzProperties.OUTPUT_LIMIT && n <= dev.autograd.internal.kernel.Shape.MAX_ELEMENTS) {
                    return null;
                }
                return call(() -> Tensor.arange(start, end, step), "arange(" + start + ", " + end + ", " + step + ")");
            }
            case EYE -> {
                int n = s.i(2);
                if (n >= 0 && !affordable(count(new int[] {n, n}))) {
                    return null;
                }
                expect(run, new int[] {n, n}, DType.FLOAT64);
                return call(() -> Tensor.eye(n), "eye(" + n + ")");
            }
            case ZEROS_LIKE -> {
                expect(run, xs, xd);
                return call(() -> Tensor.zerosLike(xa), "zerosLike(" + str(xa) + ")");
            }
            case ONES_LIKE -> {
                expect(run, xs, xd);
                return call(() -> Tensor.onesLike(xa), "onesLike(" + str(xa) + ")");
            }
            // ------------------------------------------------------------ access
            case ITEM -> {
                return call(() -> x.item(), str(x) + ".item()");
            }
            case GET -> {
                int[] index = ints(s, 2, rankOr(s, 2, xs.length));
                int[] indexArg = s.isNull(2) ? null : index;
                return call(() -> x.get(indexArg), str(x) + ".get(" + str(indexArg) + ")");
            }
            case TO -> {
                DType d = s.isNull(2) ? null : dtype(s);
                expect(run, xs, d);
                return call(() -> x.to(d), str(x) + ".to(" + d + ")");
            }
            // ------------------------------------------------------------ element-wise
            case NEG, EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, SIGN, SIN, COS, LOG1P, EXPM1, RECIPROCAL, ERF,
                    GELU, GELU_TANH, SOFTPLUS, LEAKY_RELU, CLAMP, POW_SCALAR, ADD_S, SUB_S, MUL_S, DIV_S, GT_S,
                    LT_S, GE_S, LE_S, EQ_S, MAXIMUM_S, MINIMUM_S -> {
                expect(run, xs, xd);
                double w = s.i(2) % 4 == 0 ? Double.NaN : s.i(2);
                String t = str(x) + "." + s.op().opName + "(" + v + ")";
                return switch (s.op()) {
                    case NEG -> call(x::neg, t);
                    case EXP -> call(x::exp, t);
                    case LOG -> call(x::log, t);
                    case SQRT -> call(x::sqrt, t);
                    case ABS -> call(x::abs, t);
                    case TANH -> call(x::tanh, t);
                    case SIGMOID -> call(x::sigmoid, t);
                    case RELU -> call(x::relu, t);
                    case SIGN -> call(x::sign, t);
                    case SIN -> call(x::sin, t);
                    case COS -> call(x::cos, t);
                    case LOG1P -> call(x::log1p, t);
                    case EXPM1 -> call(x::expm1, t);
                    case RECIPROCAL -> call(x::reciprocal, t);
                    case ERF -> call(x::erf, t);
                    case GELU -> call(x::gelu, t);
                    case GELU_TANH -> call(() -> x.gelu(true), t);
                    case SOFTPLUS -> call(x::softplus, t);
                    case LEAKY_RELU -> call(() -> x.leakyRelu(v), t);
                    case CLAMP -> call(() -> x.clamp(v, w), str(x) + ".clamp(" + v + ", " + w + ")");
                    case POW_SCALAR -> call(() -> x.pow(v), t);
                    case ADD_S -> call(() -> x.add(v), t);
                    case SUB_S -> call(() -> x.sub(v), t);
                    case MUL_S -> call(() -> x.mul(v), t);
                    case DIV_S -> call(() -> x.div(v), t);
                    case GT_S -> call(() -> x.gt(v), t);
                    case LT_S -> call(() -> x.lt(v), t);
                    case GE_S -> call(() -> x.ge(v), t);
                    case LE_S -> call(() -> x.le(v), t);
                    case EQ_S -> call(() -> x.eq(v), t);
                    case MAXIMUM_S -> call(() -> x.maximum(v), t);
                    default -> call(() -> x.minimum(v), t);
                };
            }
            case ADD, SUB, MUL, DIV, POW, GT, LT, GE, LE, EQ, MAXIMUM, MINIMUM -> {
                int[] out = broadcast(xs, y.shape());
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                if (out != null && xd == y.dtype()) {
                    expect(run, out, xd);
                }
                String t = str(x) + "." + s.op().opName + "(" + str(ya) + ")";
                return switch (s.op()) {
                    case ADD -> call(() -> x.add(ya), t);
                    case SUB -> call(() -> x.sub(ya), t);
                    case MUL -> call(() -> x.mul(ya), t);
                    case DIV -> call(() -> x.div(ya), t);
                    case POW -> call(() -> x.pow(ya), t);
                    case GT -> call(() -> x.gt(ya), t);
                    case LT -> call(() -> x.lt(ya), t);
                    case GE -> call(() -> x.ge(ya), t);
                    case LE -> call(() -> x.le(ya), t);
                    case EQ -> call(() -> x.eq(ya), t);
                    case MAXIMUM -> call(() -> x.maximum(ya), t);
                    default -> call(() -> x.minimum(ya), t);
                };
            }
            case WHERE -> {
                Tensor mask = run.pick(s.i(2));
                int[] out = broadcast(mask.shape(), xs);
                out = out == null ? null : broadcast(out, y.shape());
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                Tensor m = s.isNull(2) ? null : mask;
                return call(() -> Tensor.where(m, xa, ya), "where(" + str(m) + ", " + str(xa) + ", " + str(ya) + ")");
            }
            // ------------------------------------------------------------ reductions
            case SUM_ALL, MEAN_ALL, MAX_ALL, MIN_ALL, LSE_ALL, VAR_ALL, STD_ALL, ARGMAX_ALL, ARGMIN_ALL -> {
                expect(run, new int[0], s.op() == FuzzProperties.Op.ARGMAX_ALL || s.op() == FuzzProperties.Op.ARGMIN_ALL ? null : xd);
                String t = str(x) + "." + s.op().opName + "()";
                return switch (s.op()) {
                    case SUM_ALL -> call(x::sum, t);
                    case MEAN_ALL -> call(x::mean, t);
                    case MAX_ALL -> call(x::max, t);
                    case MIN_ALL -> call(x::min, t);
                    case LSE_ALL -> call(x::logSumExp, t);
                    case VAR_ALL -> call(x::var, t);
                    case STD_ALL -> call(x::std, t);
                    case ARGMAX_ALL -> call(x::argmax, t);
                    default -> call(x::argmin, t);
                };
            }
            case SUM, MEAN, MAX, MIN, LSE, VAR, STD, ARGMAX, ARGMIN -> {
                int axis = axis(s, 2, xs.length);
                boolean keep = s.flag();
                int correction = s.i(3);
                int[] out = reduced(xs, new int[] {axis}, keep);
                if (out != null && !affordable(count(out))) {
                    return null; // reducing the 0 axis of [0, 2^30] makes 2^30 elements
                }
                expect(run, out, isArg(s) ? null : xd);
                String t = str(x) + "." + s.op().opName + "(" + axis + ", " + keep + ")";
                return switch (s.op()) {
                    case SUM -> call(() -> x.sum(axis, keep), t);
                    case MEAN -> call(() -> x.mean(axis, keep), t);
                    case MAX -> call(() -> x.max(axis, keep), t);
                    case MIN -> call(() -> x.min(axis, keep), t);
                    case LSE -> call(() -> x.logSumExp(axis, keep), t);
                    case VAR -> call(() -> x.var(axis, keep, correction), str(x) + ".var(" + axis + ", " + keep + ", " + correction + ")");
                    case STD -> call(() -> x.std(axis, keep, correction), str(x) + ".std(" + axis + ", " + keep + ", " + correction + ")");
                    case ARGMAX -> call(() -> x.argmax(axis, keep), t);
                    default -> call(() -> x.argmin(axis, keep), t);
                };
            }
            case SUM_AXES, MEAN_AXES, MAX_AXES, MIN_AXES, LSE_AXES, VAR_AXES, STD_AXES, ARGMAX_AXES, ARGMIN_AXES -> {
                int[] axes = axes(s, 3, Math.floorMod(s.i(2), 4), xs.length);
                int[] axesArg = s.isNull(2) ? null : axes;
                boolean keep = s.flag();
                int correction = s.i(8);
                int[] out = reduced(xs, axes, keep);
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                expect(run, out, isArg(s) ? null : xd);
                String t = str(x) + "." + s.op().opName + "(" + str(axesArg) + ", " + keep + ")";
                return switch (s.op()) {
                    case SUM_AXES -> call(() -> x.sum(axesArg, keep), t);
                    case MEAN_AXES -> call(() -> x.mean(axesArg, keep), t);
                    case MAX_AXES -> call(() -> x.max(axesArg, keep), t);
                    case MIN_AXES -> call(() -> x.min(axesArg, keep), t);
                    case LSE_AXES -> call(() -> x.logSumExp(axesArg, keep), t);
                    case VAR_AXES -> call(() -> x.var(axesArg, keep, correction), t + " correction " + correction);
                    case STD_AXES -> call(() -> x.std(axesArg, keep, correction), t + " correction " + correction);
                    case ARGMAX_AXES -> call(() -> x.argmax(axesArg, keep), t);
                    default -> call(() -> x.argmin(axesArg, keep), t);
                };
            }
            // ------------------------------------------------------------ movement
            case RESHAPE -> {
                int[] shape = shape(s, 2);
                if (s.i(9) % 2 == 0) {
                    // the same number of elements in another arrangement, mostly: x's extents and 1s, reversed
                    List<Integer> e = new ArrayList<>();
                    for (int d = xs.length - 1; d >= 0; d--) {
                        e.add(xs[d]);
                        if (s.i(3 + d) % 3 == 0) {
                            e.add(1);
                        }
                    }
                    shape = e.stream().mapToInt(Integer::intValue).toArray();
                }
                if (s.flag() && shape.length > 0) {
                    shape[Math.floorMod(s.i(8), shape.length)] = -1; // the inferred extent
                }
                int[] shapeArg = s.isNull(2) ? null : shape;
                if (!hasNegative(shape)) {
                    expect(run, shape, xd);
                }
                return call(() -> x.reshape(shapeArg), str(x) + ".reshape(" + str(shapeArg) + ")");
            }
            case TRANSPOSE_2D -> {
                if (xs.length == 2) {
                    expect(run, new int[] {xs[1], xs[0]}, xd);
                }
                return call(() -> x.t(), str(x) + ".t()");
            }
            case TRANSPOSE -> {
                int a = axis(s, 2, xs.length);
                int b = axis(s, 3, xs.length);
                return call(() -> x.transpose(a, b), str(x) + ".transpose(" + a + ", " + b + ")");
            }
            case PERMUTE -> {
                int[] order = permutation(s, xs.length);
                int[] orderArg = s.isNull(2) ? null : order;
                return call(() -> x.permute(orderArg), str(x) + ".permute(" + str(orderArg) + ")");
            }
            case EXPAND -> {
                int[] shape = shape(s, 2);
                if (s.flag()) {
                    // mostly a shape the tensor broadcasts to: its own, with its 1s stretched
                    shape = xs.clone();
                    for (int d = 0; d < shape.length; d++) {
                        if (shape[d] == 1) {
                            shape[d] = Math.abs(s.i(3 + d) % 7);
                        }
                    }
                }
                if (!hasNegative(shape) && !affordable(count(shape))) {
                    return null;
                }
                int[] shapeArg = s.isNull(2) ? null : shape;
                return call(() -> x.expand(shapeArg), str(x) + ".expand(" + str(shapeArg) + ")");
            }
            case FLATTEN_ALL -> {
                expect(run, new int[] {x.numel()}, xd);
                return call(() -> x.flatten(), str(x) + ".flatten()");
            }
            case FLATTEN -> {
                int a = axis(s, 2, xs.length);
                int b = axis(s, 3, xs.length);
                return call(() -> x.flatten(a, b), str(x) + ".flatten(" + a + ", " + b + ")");
            }
            case SQUEEZE_ALL -> {
                expect(run, Arrays.stream(xs).filter(d -> d != 1).toArray(), xd);
                return call(() -> x.squeeze(), str(x) + ".squeeze()");
            }
            case SQUEEZE -> {
                int a0 = axis(s, 2, xs.length);
                for (int d = 0; s.flag() && d < xs.length; d++) {
                    if (xs[d] == 1) {
                        a0 = d; // an axis that can be squeezed
                    }
                }
                int a = a0;
                return call(() -> x.squeeze(a), str(x) + ".squeeze(" + a + ")");
            }
            case UNSQUEEZE -> {
                int a = axis(s, 2, xs.length + 1);
                int rank = xs.length + 1;
                if (a >= -rank && a < rank) {
                    int pos = a < 0 ? a + rank : a;
                    int[] out = new int[rank];
                    for (int d = 0, k = 0; d < rank; d++) {
                        out[d] = d == pos ? 1 : xs[k++];
                    }
                    expect(run, out, xd);
                }
                return call(() -> x.unsqueeze(a), str(x) + ".unsqueeze(" + a + ")");
            }
            case SLICE -> {
                int axis = axis(s, 2, xs.length);
                int n = xs.length == 0 ? 0 : xs[Math.floorMod(axis, xs.length)];
                int start = index(s, 3, n + 1);
                int end = s.flag() ? n : index(s, 4, n + 1);
                int step = s.i(5) == 0 ? 1 : s.i(5) < -6 ? s.i(5) : Math.abs(s.i(5));
                return call(() -> x.slice(axis, start, end, step), str(x) + ".slice(" + axis + ", " + start + ", " + end + ", " + step + ")");
            }
            case SELECT -> {
                int axis = axis(s, 2, xs.length);
                int index = index(s, 3, xs.length == 0 ? 0 : xs[Math.floorMod(axis, xs.length)]);
                return call(() -> x.select(axis, index), str(x) + ".select(" + axis + ", " + index + ")");
            }
            case INDEX_SELECT -> {
                int axis = axis(s, 2, xs.length);
                int n = xs.length == 0 ? 0 : xs[Math.floorMod(axis, xs.length)];
                int[] indices = new int[Math.floorMod(s.i(8), 6)];
                for (int k = 0; k < indices.length; k++) {
                    indices[k] = s.flag() && k == 0 ? s.i(3) : n == 0 ? 0 : Math.floorMod(s.i(3 + k), n);
                }
                int[] indicesArg = s.isNull(2) ? null : indices;
                if (xs.length > 0 && axis >= -xs.length && axis < xs.length) {
                    int[] out = xs.clone();
                    out[Math.floorMod(axis, xs.length)] = indices.length;
                    if (!affordable(count(out))) {
                        return null;
                    }
                }
                return call(() -> x.indexSelect(axis, indicesArg), str(x) + ".indexSelect(" + axis + ", " + str(indicesArg) + ")");
            }
            case GATHER -> {
                int axis = axis(s, 2, xs.length);
                Tensor indices = s.flag() ? indicesFor(s, x, axis) : y;
                Tensor indicesArg = s.isNull(1) ? null : indices;
                return call(() -> x.gather(axis, indicesArg), str(x) + ".gather(" + axis + ", " + str(indicesArg) + ")");
            }
            case SCATTER_ADD -> {
                int axis = axis(s, 2, xs.length);
                Tensor indices = s.flag() ? indicesFor(s, x, axis) : y;
                Tensor src = s.flag() ? ones(y, x.dtype(), indices.shape()) : run.pick(s.i(3));
                Tensor indicesArg = s.isNull(1) ? null : indices;
                Tensor srcArg = s.isNull(2) ? null : src;
                return call(() -> x.scatterAdd(axis, indicesArg, srcArg),
                        str(x) + ".scatterAdd(" + axis + ", " + str(indicesArg) + ", " + str(srcArg) + ")");
            }
            case CONCAT, STACK -> {
                int n = Math.floorMod(s.i(3), 4);
                List<Tensor> list = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    // the same tensor or one of its shape most of the time, so that many joins are valid
                    list.add(s.flag() ? x : run.pick(s.i(4 + k)));
                }
                if (s.isNull(1) && !list.isEmpty()) {
                    list.set(0, null);
                }
                long total = list.stream().mapToLong(t -> t == null ? 0 : t.numel()).sum();
                if (!affordable(total)) {
                    return null;
                }
                int axis = axis(s, 2, xs.length + (s.op() == FuzzProperties.Op.STACK ? 1 : 0));
                List<Tensor> listArg = s.isNull(2) ? null : list;
                String t = s.op().opName + "(" + (listArg == null ? "null" : listArg.stream().map(FuzzCalls::str).toList()) + ", " + axis + ")";
                return s.op() == FuzzProperties.Op.CONCAT ? call(() -> Tensor.concat(listArg, axis), t)
                        : call(() -> Tensor.stack(listArg, axis), t);
            }
            case SPLIT, CHUNK -> {
                int size = s.i(2);
                int axis = axis(s, 3, xs.length);
                if (xs.length > 0 && axis >= -xs.length && axis < xs.length && size > 0) {
                    int a = Math.floorMod(axis, xs.length);
                    long n = xs[a];
                    long piece = s.op() == FuzzProperties.Op.SPLIT ? size : Math.max(1, (n + size - 1) / size);
                    long pieces = Math.max(1, (n + piece - 1) / piece);
                    if (pieces > 10_000) {
                        return null;
                    }
                    int[] want = new int[(int) pieces + 1];
                    want[0] = a;
                    for (int k = 0; k < pieces; k++) {
                        want[k + 1] = (int) Math.min(piece, n - k * piece);
                    }
                    expect(run, want, xd);
                }
                String t = str(x) + "." + s.op().opName + "(" + size + ", " + axis + ")";
                return s.op() == FuzzProperties.Op.SPLIT ? call(() -> x.split(size, axis), t) : call(() -> x.chunk(size, axis), t);
            }
            case SPLIT_SIZES -> {
                int axis = axis(s, 2, xs.length);
                int[] sizes = ints(s, 3, Math.floorMod(s.i(8), 4));
                if (s.flag() && xs.length > 0) {
                    // sizes that add up to the axis, mostly
                    int n = xs[Math.floorMod(axis, xs.length)];
                    sizes = n <= 3 ? new int[] {n} : new int[] {1, n - 3, 2};
                }
                int[] sizesArg = s.isNull(2) ? null : sizes;
                return call(() -> x.split(sizesArg, axis), str(x) + ".split(" + str(sizesArg) + ", " + axis + ")");
            }
            case PAD -> {
                int[] pads = ints(s, 2, 2 * Math.floorMod(s.i(9), 4));
                int[] padsArg = s.isNull(2) ? null : pads;
                int[] out = padded(xs, pads);
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                if (out != null && count(out) <= Integer.MAX_VALUE) {
                    expect(run, out, xd);
                }
                return call(() -> x.pad(padsArg, v), str(x) + ".pad(" + str(padsArg) + ", " + v + ")");
            }
            // ------------------------------------------------------------ nn and linear algebra
            case SOFTMAX, LOG_SOFTMAX -> {
                int axis = axis(s, 2, xs.length);
                return s.op() == FuzzProperties.Op.SOFTMAX ? call(() -> x.softmax(axis), str(x) + ".softmax(" + axis + ")")
                        : call(() -> x.logSoftmax(axis), str(x) + ".logSoftmax(" + axis + ")");
            }
            case MATMUL -> {
                Tensor other = s.flag() && xs.length > 0 ? ones(y, xd, xs[xs.length - 1], Math.floorMod(s.i(2), 5)) : y;
                Tensor otherArg = s.isNull(1) ? null : other;
                int[] out = matmulShape(xs, other.shape());
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                if (out != null && xd == other.dtype()) {
                    expect(run, matmulResult(xs, other.shape(), out), xd);
                }
                return call(() -> x.matmul(otherArg), str(x) + ".matmul(" + str(otherArg) + ")");
            }
            case LINEAR -> {
                int outFeatures = Math.floorMod(s.i(3), 5);
                Tensor weight = s.flag() && xs.length > 0 ? ones(y, xd, outFeatures, xs[xs.length - 1]) : y;
                Tensor wa = s.isNull(1) ? null : weight;
                Tensor bias = s.i(2) % 3 == 0 ? null : s.flag() ? Tensor.zeros(xd, outFeatures) : run.pick(s.i(2));
                if (xs.length > 0 && weight.dim() == 2) {
                    int[] out = xs.clone();
                    out[out.length - 1] = weight.shape()[0];
                    if (!affordable(count(out))) {
                        return null;
                    }
                }
                return call(() -> x.linear(wa, bias), str(x) + ".linear(" + str(wa) + ", " + str(bias) + ")");
            }
            case MAX_POOL, AVG_POOL -> {
                int k = s.i(2) >= 0 && s.i(2) <= 5 ? 1 + s.i(2) % 3 : s.i(2);
                // mostly a 4-d input (a batch of images), which is what pooling takes
                Tensor in = s.flag() ? ones(x, xd, Math.floorMod(s.i(3), 3), 1, Math.floorMod(s.i(4), 7), Math.floorMod(s.i(5), 7)) : x;
                return s.op() == FuzzProperties.Op.MAX_POOL ? call(() -> in.maxPool2d(k), str(in) + ".maxPool2d(" + k + ")")
                        : call(() -> in.avgPool2d(k), str(in) + ".avgPool2d(" + k + ")");
            }
            case MAX_POOL_FULL, AVG_POOL_FULL -> {
                Tensor in = s.flag() ? ones(x, xd, Math.floorMod(s.i(3), 3), 2, Math.floorMod(s.i(4), 7), Math.floorMod(s.i(5), 7)) : x;
                int[] kernel = {small(s, 2, 1, 3), small(s, 6, 1, 3)};
                int[] stride = {small(s, 7, 1, 2), small(s, 8, 1, 2)};
                int[] padding = {small(s, 9, 0, 1), small(s, 1, 0, 1)};
                int[] out = in.dim() == 4 ? windows(in.shape(), in.shape()[1], kernel, stride, padding, new int[] {1, 1}) : null;
                if (out != null && !affordable(count(out))) {
                    return null;
                }
                int[] kernelArg = s.isNull(2) ? null : kernel;
                String t = str(in) + "." + s.op().opName + "(" + str(kernelArg) + ", " + str(stride) + ", " + str(padding) + ")";
                return s.op() == FuzzProperties.Op.MAX_POOL_FULL ? call(() -> in.maxPool2d(kernelArg, stride, padding), t)
                        : call(() -> in.avgPool2d(kernelArg, stride, padding), t);
            }
            case CONV2D -> {
                int channels = 1 + Math.floorMod(s.i(3), 3);
                int groups = s.i(8) % 3 == 0 ? s.i(7) : 1;
                Tensor in = s.flag() ? ones(x, xd, Math.floorMod(s.i(4), 3), channels, Math.floorMod(s.i(5), 7), Math.floorMod(s.i(6), 7)) : x;
                int[] kernel = {small(s, 2, 1, 3), small(s, 6, 1, 3)};
                Tensor weight = s.i(9) % 2 == 0 ? ones(y, xd, Math.floorMod(s.i(7), 4), channels, kernel[0], kernel[1]) : y;
                Tensor bias = s.i(1) % 2 == 0 ? null : weight.dim() > 0 ? ones(y, xd, weight.shape()[0]) : y;
                int[] stride = {small(s, 7, 1, 2), small(s, 8, 1, 2)};
                int[] padding = {small(s, 9, 0, 2), small(s, 1, 0, 2)};
                int[] dilation = {small(s, 0, 1, 2), 1};
                if (in.dim() == 4 && weight.dim() == 4) {
                    int[] w = weight.shape();
                    int[] out = windows(in.shape(), w[0], new int[] {w[2], w[3]}, stride, padding, dilation);
                    // the unfolded input (im2col) is C kH kW times the output's spatial size
                    long unfolded = out == null ? 0 : FuzzProperties.saturatingMultiply(count(out) / Math.max(1, w[0]),
                            FuzzProperties.saturatingMultiply((long) in.shape()[1], (long) w[2] * w[3]));
                    if (out != null && (!affordable(count(out)) || !affordable(unfolded))) {
                        return null;
                    }
                }
                Tensor wa = s.isNull(1) ? null : weight;
                String t = str(in) + ".conv2d(" + str(wa) + ", " + str(bias) + ", " + str(stride) + ", " + str(padding)
                        + ", " + str(dilation) + ", " + groups + ")";
                return call(() -> in.conv2d(wa, bias, stride, padding, dilation, groups), t);
            }
            // ------------------------------------------------------------ autograd
            case REQUIRES_GRAD -> {
                boolean on = s.flag();
                expect(run, xs, xd);
                return call(() -> x.detach().requiresGrad(on), str(x) + ".detach().requiresGrad(" + on + ")");
            }
            case DETACH -> {
                expect(run, xs, xd);
                return call(x::detach, str(x) + ".detach()");
            }
            case BACKWARD -> {
                if (s.i(2) % 2 == 0) {
                    // a loss that can be differentiated: the sum of a leaf times the tensor; the leaf's grad
                    // must then have the leaf's shape and dtype
                    Tensor leaf = x.detach().requiresGrad(true);
                    expect(run, xs, xd);
                    return call(() -> {
                        leaf.mul(x).sum().backward();
                        return leaf.grad();
                    }, "leaf " + str(x) + ": leaf.mul(x).sum().backward(); leaf.grad()");
                }
                Tensor gradient = s.flag() ? ya : null;
                return call(() -> {
                    if (gradient == null && !s.isNull(1)) {
                        x.backward();
                    } else {
                        x.backward(gradient);
                    }
                    return null;
                }, str(x) + ".backward(" + str(gradient) + ")");
            }
            case BACKWARD_FULL -> {
                boolean retain = s.flag();
                boolean create = s.i(2) % 2 == 0;
                // mostly a tensor on a graph and a gradient of its shape and dtype, to get past the checks
                Tensor t = s.i(4) % 4 != 0 ? run.pool.stream().filter(Tensor::requiresGrad).reduce((a, b) -> b).orElse(x) : x;
                Tensor gradient = s.isNull(1) ? null : s.i(3) % 3 != 0 ? Tensor.onesLike(t) : y;
                return call(() -> {
                    t.backward(gradient, retain, create);
                    return null;
                }, str(t) + ".backward(" + str(gradient) + ", " + retain + ", " + create + ")");
            }
            case RETAIN_GRAD -> {
                return call(x::retainGrad, str(x) + ".retainGrad()");
            }
            case ZERO_GRAD -> {
                return call(() -> {
                    x.zeroGrad();
                    return x.grad();
                }, str(x) + ".zeroGrad(); grad()");
            }
            // ------------------------------------------------------------ in place
            case ADD_IN_PLACE_ALPHA -> {
                return call(() -> x.addInPlace(ya, v), str(x) + ".addInPlace(" + str(ya) + ", " + v + ")");
            }
            case SUB_IN_PLACE -> {
                return call(() -> x.subInPlace(ya), str(x) + ".subInPlace(" + str(ya) + ")");
            }
            case DIV_IN_PLACE -> {
                return call(() -> x.divInPlace(ya), str(x) + ".divInPlace(" + str(ya) + ")");
            }
            case ADD_IN_PLACE_S -> {
                return call(() -> x.addInPlace(v), str(x) + ".addInPlace(" + v + ")");
            }
            case SUB_IN_PLACE_S -> {
                return call(() -> x.subInPlace(v), str(x) + ".subInPlace(" + v + ")");
            }
            case MUL_IN_PLACE_S -> {
                return call(() -> x.mulInPlace(v), str(x) + ".mulInPlace(" + v + ")");
            }
            case DIV_IN_PLACE_S -> {
                return call(() -> x.divInPlace(v), str(x) + ".divInPlace(" + v + ")");
            }
            case ADD_IN_PLACE -> {
                return call(() -> x.addInPlace(ya), str(x) + ".addInPlace(" + str(ya) + ")");
            }
            case MUL_IN_PLACE -> {
                return call(() -> x.mulInPlace(ya), str(x) + ".mulInPlace(" + str(ya) + ")");
            }
            case FILL -> {
                return call(() -> x.fill(v), str(x) + ".fill(" + v + ")");
            }
            case COPY_FROM -> {
                return call(() -> x.copyFrom(ya), str(x) + ".copyFrom(" + str(ya) + ")");
            }
            default -> throw new AssertionError(s.op());
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private static Invocation call(Callable<Object> body, String text) {
        return new Invocation(body, text);
    }

    /**
     * A tensor of ones the fuzzer makes as a compatible operand; {@code fallback} when that shape is more
     * than the fuzzer allocates (next to a huge extent of an empty tensor).
     */
    private static Tensor ones(Tensor fallback, DType dtype, int... shape) {
        return !hasNegative(shape) && count(shape) <= FuzzProperties.POOL_LIMIT ? Tensor.ones(dtype, shape) : fallback;
    }

    private static void expect(Run run, int[] shape, DType dtype) {
        run.expected = shape;
        run.expectedDType = dtype;
    }

    /**
     * An axis for a tensor of rank {@code rank}: mostly a valid one (half of them counted from the end),
     * otherwise the raw int (out of range, huge, negative).
     */
    static int axis(Step s, int k, int rank) {
        int v = s.i(k);
        if (rank == 0 || Math.floorMod(s.i(k + 5), 4) == 0) {
            return v;
        }
        return v < 0 ? Math.floorMod(v, rank) - rank : Math.floorMod(v, rank);
    }

    /** An index into an axis of extent {@code n}: mostly valid (some negative), otherwise the raw int. */
    static int index(Step s, int k, int n) {
        return axis(s, k, n);
    }

    /** Valid axes mostly (see {@link #axis}), repeats and out-of-range ones now and then. */
    static int[] axes(Step s, int from, int n, int rank) {
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = axis(s, from + k, rank);
        }
        return out;
    }

    /** The matmul result with the axes NumPy removes for 1-d operands removed. */
    static int[] matmulResult(int[] a, int[] b, int[] batched) {
        int batch = batched.length - 2;
        int[] out = Arrays.copyOf(batched, batch + (a.length == 1 ? 0 : 1) + (b.length == 1 ? 0 : 1));
        int k = batch;
        if (a.length != 1) {
            out[k++] = batched[batch];
        }
        if (b.length != 1) {
            out[k] = batched[batch + 1];
        }
        return out;
    }

    /** Mostly a value in {@code [lo, hi]}, otherwise the raw int (0, negative, huge). */
    static int small(Step s, int k, int lo, int hi) {
        int v = s.i(k);
        return v >= -6 && v <= 5 ? lo + Math.floorMod(v, hi - lo + 1) : v;
    }

    /**
     * {@code [N, outChannels, Ho, Wo]} of a sliding window over an NCHW input, counted in long, or null when
     * the arguments are out of range (a refusal is expected then).
     */
    static int[] windows(int[] in, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] out = {in[0], outChannels, 0, 0};
        for (int d = 0; d < 2; d++) {
            if (kernel[d] < 1 || stride[d] < 1 || padding[d] < 0 || dilation[d] < 1) {
                return null;
            }
            long span = (long) dilation[d] * (kernel[d] - 1) + 1;
            long extent = ((long) in[2 + d] + 2L * padding[d] - span) / stride[d] + 1;
            if (extent < 0 || extent > Integer.MAX_VALUE) {
                return null;
            }
            out[2 + d] = (int) extent;
        }
        return out;
    }

    private static boolean isArg(Step s) {
        return s.op().opName.startsWith("arg");
    }

    /**
     * A shape from the step's ints: rank 0 to 5, extents mostly small; a negative extent now and then
     * (which must be refused). When the extents would make a tensor the fuzzer cannot afford but a Java
     * array could hold, they are cut down, unless a 0 extent keeps the tensor empty.
     */
    static int[] shape(Step s, int from) {
        int rank = Math.floorMod(s.i(from), 6);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            int e = s.i(from + 1 + d);
            // -1 and the far negatives stay negative; -2..-6 become small positive extents
            shape[d] = e >= -6 && e < -1 ? -e : e;
        }
        if (!hasNegative(shape) && !affordable(count(shape))) {
            for (int d = 0; d < rank; d++) {
                shape[d] = shape[d] % 7;
            }
        }
        return shape;
    }

    /** {@code n} of the step's ints from {@code from} on. */
    static int[] ints(Step s, int from, int n) {
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = s.i(from + k);
        }
        return out;
    }

    /** Mostly the tensor's rank, sometimes a wrong one. */
    static int rankOr(Step s, int k, int rank) {
        return s.i(k) % 5 == 4 ? Math.floorMod(s.i(k + 1), 7) : rank;
    }

    /** Mostly a permutation of the axes (with negative ones), sometimes not one. */
    static int[] permutation(Step s, int rank) {
        if (s.flag()) {
            return ints(s, 3, Math.floorMod(s.i(2), 7));
        }
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        Random r = new Random(s.i(3));
        for (int d = rank - 1; d > 0; d--) {
            int j = r.nextInt(d + 1);
            int t = order[d];
            order[d] = order[j];
            order[j] = t;
        }
        if (rank > 0 && s.i(4) % 2 == 0) {
            order[0] -= rank; // the same axis, counted from the end
        }
        return order;
    }

    /** Every dtype, the two 16-bit formats included: their ops go through the kernel layer's half adapter. */
    private static final DType[] DTYPES = {DType.FLOAT64, DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};

    static DType dtype(Step s) {
        return s.isNull(0) ? null : DTYPES[s.i(9) & 3];
    }

    /** Valid indices along {@code axis} for gather and scatterAdd (when the axis is in range), of x's dtype. */
    static Tensor indicesFor(Step s, Tensor x, int axis) {
        int[] xs = x.shape();
        if (xs.length == 0 || axis < -xs.length || axis >= xs.length) {
            return Tensor.zeros(x.dtype(), xs);
        }
        int a = Math.floorMod(axis, xs.length);
        int[] shape = xs.clone();
        shape[a] = Math.min(xs[a], Math.floorMod(s.i(4), 4)); // no larger than x on the other axes
        if (count(shape) > FuzzProperties.POOL_LIMIT) {
            return Tensor.zeros(x.dtype(), 0); // x has a 0 and a huge extent: no valid indices of that shape
        }
        int n = (int) count(shape);
        double[] values = new double[n];
        Random r = new Random(s.i(5));
        for (int i = 0; i < n; i++) {
            values[i] = xs[a] == 0 ? 0 : r.nextInt(xs[a]);
        }
        return Tensor.of(values, shape).to(x.dtype());
    }

    static double[] values(int n, double v) {
        double[] specials = {v, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0, 1, -1,
            1e308, Double.MIN_VALUE, 0.5, -3};
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = i % 3 == 0 ? specials[Math.floorMod(i / 3 + (int) (v * 7), specials.length)] : i * 0.25 - 1;
        }
        return out;
    }

    /** The NumPy broadcast of two shapes, or null when they do not broadcast. */
    static int[] broadcast(int[] a, int[] b) {
        try {
            return TensorArbitraries.broadcast(a, b);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The shape after reducing {@code axes}, or null when an axis is out of range or repeated. */
    static int[] reduced(int[] shape, int[] axes, boolean keep) {
        boolean[] mask = new boolean[shape.length];
        for (int a : axes) {
            if (a < -shape.length || a >= shape.length) {
                return null;
            }
            int n = a < 0 ? a + shape.length : a;
            if (mask[n]) {
                return null;
            }
            mask[n] = true;
        }
        List<Integer> out = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (!mask[d]) {
                out.add(shape[d]);
            } else if (keep) {
                out.add(1);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The padded shape, or null when the pads are malformed or an extent leaves the int range. */
    static int[] padded(int[] shape, int[] pads) {
        if (pads.length % 2 != 0 || pads.length / 2 > shape.length) {
            return null;
        }
        int[] out = shape.clone();
        for (int p = 0; p < pads.length / 2; p++) {
            int axis = shape.length - 1 - p;
            if (pads[2 * p] < 0 || pads[2 * p + 1] < 0) {
                return null;
            }
            long e = (long) shape[axis] + pads[2 * p] + pads[2 * p + 1];
            if (e > Integer.MAX_VALUE) {
                return null;
            }
            out[axis] = (int) e;
        }
        return out;
    }

    /** The shape of a matmul by NumPy's rules, or null when the operands do not fit. */
    static int[] matmulShape(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return null;
        }
        int[] a2 = a.length == 1 ? new int[] {1, a[0]} : a;
        int[] b2 = b.length == 1 ? new int[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            return null;
        }
        int[] batch = broadcast(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        if (batch == null) {
            return null;
        }
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a2[a2.length - 2];
        out[batch.length + 1] = b2[b2.length - 1];
        return out;
    }

    static String str(int[] a) {
        return a == null ? "null" : Arrays.toString(a);
    }

    static String str(Tensor t) {
        if (t == null) {
            return "null";
        }
        String values = t.numel() <= 8 ? Arrays.toString(t.toDoubleArray()) : "...";
        return "T" + Arrays.toString(t.shape()) + t.dtype() + values + (t.requiresGrad() ? "rg" : "");
    }
}
