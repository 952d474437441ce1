package dev.autograd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import dev.autograd.internal.kernel.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * Element-wise ops: each one's forward (a kernel call), its shape rule and its backward rule side by side.
 * Binary backward rules return gradients in the broadcast output shape; the engine sums them back to each
 * input's shape, so no op here un-broadcasts by itself.
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    // ------------------------------------------------------------ forward helpers

    /** {@code op(x)} without recording. */
    static Tensor compute(UnaryOp op, Tensor x, double parameter) {
        Object out = Kernels.newArray(x.storage.array, x.numel());
        Kernels.unary(op, x.storage.array, out, parameter);
        return Tensor.wrap(out, x.shapeRef());
    }

    /** {@code op(a, b)} broadcast, without recording. */
    static Tensor compute(BinaryOp op, String name, Tensor a, Tensor b) {
        Shapes.nonNull(name, b, "the other operand");
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(name + ": dtypes differ: " + a.dtype() + " " + Shapes.format(a.shapeRef())
                    + " and " + b.dtype() + " " + Shapes.format(b.shapeRef())
                    + "; convert one operand with to(DType) first (no implicit promotion)");
        }
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        if (Arrays.equals(as, bs)) {
            // Same shape, the common case and every scalar op: one flat loop, no stride bookkeeping.
            Object out = Kernels.newArray(a.storage.array, a.numel());
            Kernels.binarySameShape(op, a.storage.array, b.storage.array, out);
            return Tensor.wrap(out, as);
        }
        int[] shape = Shapes.broadcast(name, as, bs);
        Object out = Kernels.newArray(a.storage.array, Shape.size(shape));
        Kernels.binary(op, a.storage.array, Shapes.broadcastStrides(as, shape),
                b.storage.array, Shapes.broadcastStrides(bs, shape), out, shape);
        return Tensor.wrap(out, shape);
    }

    /** A comparison: a mask of 0 and 1 that is never recorded. */
    static Tensor compare(BinaryOp op, String name, Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        return promoted != null ? compute(op, name, promoted[0], promoted[1]) : compute(op, name, a, b);
    }

    /**
     * Inside {@link Autograd#autocast}, operands of FLOAT32 and a half dtype cast to FLOAT32 by recorded
     * conversions (PyTorch's promote rule); else null. Operands of one dtype cost a class comparison.
     */
    private static Tensor[] promoted(Tensor a, Tensor b) {
        return b != null && a.storage.array.getClass() != b.storage.array.getClass() ? Autocast.promote(a, b) : null;
    }

    // ------------------------------------------------------------ binary ops

    /** {@code a + b}. */
    static Tensor add(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return add(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.ADD, "add", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Add(a, b)) : out;
    }

    /** d(a + b)/da = 1, d(a + b)/db = 1. */
    static final class Add extends Node {
        @Override
        public String formula() {
            return "d(a + b)/da = 1, d(a + b)/db = 1";
        }

        Add(Tensor a, Tensor b) {
            super("add", a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g, g);
        }

        /** g for both inputs, reduced to each input's shape (g may itself be a broadcast gradient). */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            return grads(needsGrad(0) ? Engine.reduceTo(g, outputShape, inputShapes[0], false) : null,
                    needsGrad(1) ? Engine.reduceTo(g, outputShape, inputShapes[1], false) : null);
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }
    }

    /** The constant input of {@link WithConstant} nodes: a 0-d tensor that never requires grad. */
    private static final Tensor[] CONSTANTS = {Tensor.scalar(0, DType.FLOAT64), Tensor.scalar(0, DType.FLOAT32),
        Tensor.scalar(0, DType.FLOAT16), Tensor.scalar(0, DType.BFLOAT16)};

    /** {@code a op c}, not recorded. */
    static Tensor computeWithConstant(BinaryOp op, Tensor a, double c) {
        Object out = Kernels.newArray(a.storage.array, a.numel());
        Kernels.binaryConstant(op, a.storage.array, c, out);
        return Tensor.wrap(out, a.shapeRef());
    }

    /**
     * {@code a + c}, {@code a - c}, {@code a * c} or {@code a / c} for a number {@code c}: the values of
     * the op with a 0-d constant tensor, recorded without one (a scalar graph pays for no constant tensor
     * and saves nothing for backward).
     */
    static Tensor withConstant(BinaryOp op, String name, Tensor a, double c) {
        Tensor out = computeWithConstant(op, a, c);
        return Tensor.recording(a) ? out.recordedBy(new WithConstant(op, name, a, c)) : out;
    }

    /**
     * d(a + c)/da = d(a - c)/da = 1, d(a * c)/da = c, d(a / c)/da = 1 / c. Its second input is the constant,
     * which needs no gradient, as for the op with a constant tensor.
     */
    static final class WithConstant extends Node {
        private final BinaryOp op;
        private final double constant;

        WithConstant(BinaryOp op, String name, Tensor a, double constant) {
            super(name, a, CONSTANTS[a.dtype().ordinal()]);
            this.op = op;
            this.constant = constant;
        }

        @Override
        public String formula() {
            return switch (op) {
                case ADD -> "d(a + c)/da = 1";
                case SUB -> "d(a - c)/da = 1";
                case MUL -> "d(a * c)/da = c";
                default -> "d(a / c)/da = 1 / c";
            };
        }

        @Override
        Tensor[] backward(Tensor g) {
            return switch (op) {
                case MUL -> grads(g.mul(constant), null);
                case DIV -> grads(g.div(constant), null);
                default -> grads(g, null);
            };
        }

        /** Add and sub pass g on; mul and div scale it in its own (possibly broadcast-smaller) shape. */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            if (op == BinaryOp.MUL || op == BinaryOp.DIV) {
                return grads(Engine.owned(computeWithConstant(op, g, constant)), null);
            }
            return grads(Engine.reduceTo(g, outputShape, inputShapes[0], false), null);
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }
    }

    /** {@code a - b}. */
    static Tensor sub(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return sub(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.SUB, "sub", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Sub(a, b)) : out;
    }

    /** d(a - b)/da = 1, d(a - b)/db = -1. */
    static final class Sub extends Node {
        @Override
        public String formula() {
            return "d(a - b)/da = 1, d(a - b)/db = -1";
        }

        Sub(Tensor a, Tensor b) {
            super("sub", a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g, needsGrad(1) ? g.neg() : null);
        }

        @Override
        Tensor[] fusedBackward(Tensor g) {
            Tensor gb = null;
            if (needsGrad(1)) {
                Tensor reduced = Engine.reduceTo(g, outputShape, inputShapes[1], false);
                gb = Engine.owned(compute(UnaryOp.NEG, reduced, 0));
            }
            return grads(needsGrad(0) ? Engine.reduceTo(g, outputShape, inputShapes[0], false) : null, gb);
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }
    }

    /** {@code a * b}. */
    static Tensor mul(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return mul(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.MUL, "mul", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Mul(a, b)) : out;
    }

    /** d(a b)/da = b, d(a b)/db = a. */
    static final class Mul extends Node {
        @Override
        public String formula() {
            return "d(a * b)/da = b, d(a * b)/db = a";
        }

        Mul(Tensor a, Tensor b) {
            super("mul", a, b);
            save(a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(needsGrad(0) ? g.mul(saved(1)) : null, needsGrad(1) ? g.mul(saved(0)) : null);
        }

        /** Each gradient in one pass, summed over broadcast axes as it is computed (no temporary). */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            return grads(needsGrad(0) ? productTo(g, saved(1), outputShape, inputShapes[0]) : null,
                    needsGrad(1) ? productTo(g, saved(0), outputShape, inputShapes[1]) : null);
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }
    }

    /**
     * {@code sum(g * other)}, both broadcast to the op's output shape {@code shape}, over the axes that
     * broadcasting added or stretched for an input of shape {@code target}: one kernel, one new buffer.
     * Where nothing was broadcast it is the plain product (still one buffer, possibly of a
     * broadcast-smaller shape, which the engine passes on as it is).
     */
    static Tensor productTo(Tensor g, Tensor other, int[] shape, int[] target) {
        if (!Shapes.reducesTo(shape, target)) {
            return Engine.owned(compute(BinaryOp.MUL, "mul", g, other));
        }
        Object out = Kernels.productSumTo(g.storage.array, g.shapeRef(), other.storage.array, other.shapeRef(),
                shape, target);
        return Engine.owned(Tensor.wrap(out, target));
    }

    /** {@code a / b}. */
    static Tensor div(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return div(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.DIV, "div", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Div(a, b)) : out;
    }

    /** d(a / b)/da = 1 / b, d(a / b)/db = -a / b^2. */
    static final class Div extends Node {
        @Override
        public String formula() {
            return "d(a / b)/da = 1 / b, d(a / b)/db = -a / b^2";
        }

        Div(Tensor a, Tensor b) {
            super("div", a, b);
            save(a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor b = saved(1);
            return grads(needsGrad(0) ? g.div(b) : null,
                    needsGrad(1) ? g.mul(saved(0)).div(b.mul(b)).neg() : null);
        }

        @Override
        Tensor[] fusedBackward(Tensor g) {
            Tensor b = saved(1);
            // Both results are fresh buffers: the last op of each writes a new array.
            return grads(needsGrad(0) ? Engine.owned(compute(BinaryOp.DIV, "div", g, b)) : null,
                    needsGrad(1) ? Engine.owned(g.mul(saved(0)).div(b.mul(b)).neg()) : null);
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }
    }

    /** {@code min(max(x, min), max)}. */
    static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
            throw new IllegalArgumentException("clamp: need min <= max, got min " + min + " and max " + max);
        }
        Tensor low = Tensor.scalar(min, x.dtype());
        Tensor high = Tensor.scalar(max, x.dtype());
        Tensor out = compute(BinaryOp.MIN, "clamp", compute(BinaryOp.MAX, "clamp", x, low), high);
        return Tensor.recording(x) ? out.recordedBy(new Clamp(x, low, high)) : out;
    }

    /** d clamp(x)/dx = 1 where min <= x <= max (bounds included, as in PyTorch), else 0. */
    static final class Clamp extends Node {
        @Override
        public String formula() {
            return "d clamp(x)/dx = 1 if min <= x <= max else 0";
        }

        private final Tensor low;
        private final Tensor high;

        Clamp(Tensor x, Tensor low, Tensor high) {
            super("clamp", x);
            this.low = low;
            this.high = high;
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return grads(g.mul(x.ge(low).mul(x.le(high))));
        }
    }

    /** The element-wise larger of {@code a} and {@code b}, broadcast. */
    static Tensor maximum(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return maximum(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.MAX, "maximum", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Extremum("maximum", a, b)) : out;
    }

    /** The element-wise smaller of {@code a} and {@code b}, broadcast. */
    static Tensor minimum(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return minimum(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.MIN, "minimum", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Extremum("minimum", a, b)) : out;
    }

    /**
     * d maximum(a, b)/da = 1 where a is selected, 0 where b is, 1/2 on ties (as in PyTorch); likewise for
     * b, and for minimum.
     */
    static final class Extremum extends Node {
        @Override
        public String formula() {
            return name().equals("maximum") ? "d max(a, b)/da = 1 if a > b, 1/2 if a = b, else 0 (b likewise)" : "d min(a, b)/da = 1 if a < b, 1/2 if a = b, else 0 (b likewise)";
        }

        Extremum(String name, Tensor a, Tensor b) {
            super(name, a, b);
            save(a, b);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            Tensor aWins = name().equals("maximum") ? a.gt(b) : a.lt(b);
            Tensor tie = a.eq(b).mul(0.5);
            Tensor aShare = aWins.add(tie);
            return grads(needsGrad(0) ? g.mul(aShare) : null, needsGrad(1) ? g.mul(aShare.neg().add(1)) : null);
        }
    }

    /** {@code a ^ b} element-wise, broadcast. */
    static Tensor pow(Tensor a, Tensor b) {
        Tensor[] promoted = promoted(a, b);
        if (promoted != null) {
            return pow(promoted[0], promoted[1]);
        }
        Tensor out = compute(BinaryOp.POW, "pow", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new PowTensor(a, b, out)) : out;
    }

    /**
     * d(a^b)/da = b a^(b-1) (0 where b = 0); d(a^b)/db = a^b ln a, taken as 0 where a = 0 (the limit for b > 0, as in
     * PyTorch) so that a zero base does not poison the exponent's gradient with NaN.
     */
    static final class PowTensor extends Node {
        @Override
        public String formula() {
            return "d a^b/da = b * a^(b - 1), d a^b/db = a^b * ln(a)";
        }

        PowTensor(Tensor a, Tensor b, Tensor out) {
            super("pow", a, b);
            save(a, b, out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            // b a^(b-1) is 0 * 0^-1 = NaN at a = b = 0, where the derivative of a^0 is 0. Masking only that
            // point (not every b = 0, as PyTorch does) keeps d/db of this gradient, 1/a, for a != 0.
            Tensor ga = needsGrad(0)
                    ? Tensor.where(a.eq(0).mul(b.eq(0)), Tensor.zerosLike(g), g.mul(b).mul(a.pow(b.sub(1)))) : null;
            Tensor gb = null;
            if (needsGrad(1)) {
                Tensor zero = a.eq(0);
                Tensor safeA = Tensor.where(zero, Tensor.onesLike(a), a);
                gb = g.mul(Tensor.where(zero, Tensor.zerosLike(saved(2)), saved(2).mul(safeA.log())));
            }
            return grads(ga, gb);
        }
    }

    /** {@code mask != 0 ? a : b}, all three broadcast together. */
    static Tensor where(Tensor mask, Tensor a, Tensor b) {
        Shapes.nonNull("where", mask, "the mask");
        Shapes.nonNull("where", a, "a");
        Shapes.nonNull("where", b, "b");
        if (a.dtype() != b.dtype() || mask.dtype() != a.dtype()) {
            List<Tensor> promoted = Autocast.promote(List.of(mask, a, b));
            if (promoted != null) {
                return where(promoted.get(0), promoted.get(1), promoted.get(2));
            }
            throw new IllegalArgumentException("where: dtypes differ: mask " + mask.dtype() + ", a " + a.dtype()
                    + ", b " + b.dtype() + "; convert with to(DType) first");
        }
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", mask.shapeRef(), a.shapeRef()), b.shapeRef());
        Tensor m = expandedValues(mask, shape);
        Object out = Kernels.where(m.storage.array, expandedValues(a, shape).storage.array,
                expandedValues(b, shape).storage.array);
        Tensor result = Tensor.wrap(out, shape);
        return Tensor.recording(a, b) ? result.recordedBy(new Where(m, a, b)) : result;
    }

    private static Tensor expandedValues(Tensor t, int[] shape) {
        try (var scope = Autograd.noGrad()) {
            return t.expand(shape);
        }
    }

    /** d where(m, a, b)/da = m, d/db = 1 - m; the mask gets no gradient. */
    static final class Where extends Node {
        @Override
        public String formula() {
            return "d where(m, a, b)/da = m, d where(m, a, b)/db = 1 - m";
        }

        Where(Tensor mask, Tensor a, Tensor b) {
            super("where", a, b);
            // Saved for its version check only: changing the mask in place would send g to the wrong side.
            save(mask);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor m = saved(0);
            Tensor zeros = Tensor.zerosLike(g);
            return grads(needsGrad(0) ? Tensor.where(m, g, zeros) : null,
                    needsGrad(1) ? Tensor.where(m, zeros, g) : null);
        }
    }
}
