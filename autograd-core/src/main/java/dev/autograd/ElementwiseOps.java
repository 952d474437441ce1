package dev.autograd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import dev.autograd.internal.kernel.UnaryOp;
import java.util.Arrays;

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
        return compute(op, name, a, b);
    }

    // ------------------------------------------------------------ binary ops

    /** {@code a + b}. */
    static Tensor add(Tensor a, Tensor b) {
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
    }

    /** {@code a - b}. */
    static Tensor sub(Tensor a, Tensor b) {
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
    }

    /** {@code a * b}. */
    static Tensor mul(Tensor a, Tensor b) {
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
    }

    /** {@code a / b}. */
    static Tensor div(Tensor a, Tensor b) {
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
    }

    // ------------------------------------------------------------ unary ops

    /** {@code -x}. */
    static Tensor neg(Tensor x) {
        Tensor out = compute(UnaryOp.NEG, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Neg(x)) : out;
    }

    /** d(-x)/dx = -1. */
    static final class Neg extends Node {
        @Override
        public String formula() {
            return "d(-x)/dx = -1";
        }

        Neg(Tensor x) {
            super("neg", x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.neg());
        }
    }

    /** {@code x ^ p}. */
    static Tensor pow(Tensor x, double p) {
        Tensor out = compute(UnaryOp.POW, x, p);
        return Tensor.recording(x) ? out.recordedBy(new Pow(x, p)) : out;
    }

    /** d(x^p)/dx = p x^(p-1). */
    static final class Pow extends Node {
        @Override
        public String formula() {
            return "d x^" + Formulas.number(exponent) + "/dx = " + Formulas.number(exponent) + " * x^" + Formulas.number(exponent - 1);
        }

        private final double exponent;

        Pow(Tensor x, double exponent) {
            super("pow", x);
            this.exponent = exponent;
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            if (exponent == 0) {
                // x^0 is constant; written out so that 0 * x^-1 does not turn into NaN at x = 0.
                return grads(Tensor.zerosLike(g));
            }
            return grads(g.mul(saved(0).pow(exponent - 1).mul(exponent)));
        }
    }

    /** {@code e^x}. */
    static Tensor exp(Tensor x) {
        Tensor out = compute(UnaryOp.EXP, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Exp(x, out)) : out;
    }

    /** d(e^x)/dx = e^x, read from the saved output. */
    static final class Exp extends Node {
        @Override
        public String formula() {
            return "d exp(x)/dx = exp(x)";
        }

        Exp(Tensor x, Tensor out) {
            super("exp", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0)));
        }
    }

    /** {@code ln x}. */
    static Tensor log(Tensor x) {
        Tensor out = compute(UnaryOp.LOG, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Log(x)) : out;
    }

    /** d(ln x)/dx = 1 / x. */
    static final class Log extends Node {
        @Override
        public String formula() {
            return "d log(x)/dx = 1 / x";
        }

        Log(Tensor x) {
            super("log", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.div(saved(0)));
        }
    }

    /** {@code sqrt(x)}. */
    static Tensor sqrt(Tensor x) {
        Tensor out = compute(UnaryOp.SQRT, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Sqrt(x, out)) : out;
    }

    /** d(sqrt x)/dx = 1 / (2 sqrt x), read from the saved output. */
    static final class Sqrt extends Node {
        @Override
        public String formula() {
            return "d sqrt(x)/dx = 1 / (2 sqrt(x))";
        }

        Sqrt(Tensor x, Tensor out) {
            super("sqrt", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.div(saved(0).mul(2)));
        }
    }

    /** {@code |x|}. */
    static Tensor abs(Tensor x) {
        Tensor out = compute(UnaryOp.ABS, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Abs(x)) : out;
    }

    /** d|x|/dx = sign(x), taken as 0 at x = 0. */
    static final class Abs extends Node {
        @Override
        public String formula() {
            return "d |x|/dx = sign(x) (0 at x = 0)";
        }

        Abs(Tensor x) {
            super("abs", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).sign()));
        }
    }

    /** {@code tanh x}. */
    static Tensor tanh(Tensor x) {
        Tensor out = compute(UnaryOp.TANH, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Tanh(x, out)) : out;
    }

    /** d(tanh x)/dx = 1 - tanh(x)^2, read from the saved output. */
    static final class Tanh extends Node {
        @Override
        public String formula() {
            return "d tanh(x)/dx = 1 - tanh(x)^2";
        }

        Tanh(Tensor x, Tensor out) {
            super("tanh", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return grads(g.mul(y.mul(y).neg().add(1)));
        }
    }

    /** {@code 1 / (1 + e^-x)}. */
    static Tensor sigmoid(Tensor x) {
        Tensor out = compute(UnaryOp.SIGMOID, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Sigmoid(x, out)) : out;
    }

    /** d sigmoid(x)/dx = s (1 - s) with s = sigmoid(x), read from the saved output. */
    static final class Sigmoid extends Node {
        @Override
        public String formula() {
            return "d sigmoid(x)/dx = sigmoid(x) * (1 - sigmoid(x))";
        }

        Sigmoid(Tensor x, Tensor out) {
            super("sigmoid", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor s = saved(0);
            return grads(g.mul(s.mul(s.neg().add(1))));
        }
    }

    /** {@code max(x, 0)}. */
    static Tensor relu(Tensor x) {
        Tensor out = compute(UnaryOp.RELU, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Relu(x, out)) : out;
    }

    /** d relu(x)/dx = 1 where x > 0, else 0 (0 at the kink x = 0). */
    static final class Relu extends Node {
        @Override
        public String formula() {
            return "d relu(x)/dx = 1 if x > 0 else 0";
        }

        Relu(Tensor x, Tensor out) {
            super("relu", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).gt(0)));
        }
    }
    /** {@code sin x}. */
    static Tensor sin(Tensor x) {
        Tensor out = compute(UnaryOp.SIN, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Sin(x)) : out;
    }

    /** d(sin x)/dx = cos x. */
    static final class Sin extends Node {
        @Override
        public String formula() {
            return "d sin(x)/dx = cos(x)";
        }

        Sin(Tensor x) {
            super("sin", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).cos()));
        }
    }

    /** {@code cos x}. */
    static Tensor cos(Tensor x) {
        Tensor out = compute(UnaryOp.COS, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Cos(x)) : out;
    }

    /** d(cos x)/dx = -sin x. */
    static final class Cos extends Node {
        @Override
        public String formula() {
            return "d cos(x)/dx = -sin(x)";
        }

        Cos(Tensor x) {
            super("cos", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).sin()).neg());
        }
    }

    /** {@code ln(1 + x)}, accurate for small x. */
    static Tensor log1p(Tensor x) {
        Tensor out = compute(UnaryOp.LOG1P, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Log1p(x)) : out;
    }

    /** d ln(1 + x)/dx = 1 / (1 + x). */
    static final class Log1p extends Node {
        @Override
        public String formula() {
            return "d log(1 + x)/dx = 1 / (1 + x)";
        }

        Log1p(Tensor x) {
            super("log1p", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.div(saved(0).add(1)));
        }
    }

    /** {@code e^x - 1}, accurate for small x. */
    static Tensor expm1(Tensor x) {
        Tensor out = compute(UnaryOp.EXPM1, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Expm1(x, out)) : out;
    }

    /** d(e^x - 1)/dx = e^x = out + 1. */
    static final class Expm1 extends Node {
        @Override
        public String formula() {
            return "d (exp(x) - 1)/dx = exp(x)";
        }

        Expm1(Tensor x, Tensor out) {
            super("expm1", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).add(1)));
        }
    }

    /** {@code erf x}. */
    static Tensor erf(Tensor x) {
        Tensor out = compute(UnaryOp.ERF, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Erf(x)) : out;
    }

    /** d erf(x)/dx = 2/sqrt(pi) e^(-x^2). */
    static final class Erf extends Node {
        @Override
        public String formula() {
            return "d erf(x)/dx = 2 / sqrt(pi) * exp(-x^2)";
        }

        Erf(Tensor x) {
            super("erf", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return grads(g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))));
        }
    }

    /**
     * GELU, {@code x Phi(x)}: exact with erf, or the tanh approximation
     * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. Composed from primitives, whose backward rules
     * give {@code Phi(x) + x phi(x)} (exact) or the derivative of the approximation.
     */
    static Tensor gelu(Tensor x, boolean tanhApproximation) {
        if (tanhApproximation) {
            Tensor inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
            return x.mul(0.5).mul(inner.tanh().add(1));
        }
        return x.mul(0.5).mul(x.mul(1 / Math.sqrt(2)).erf().add(1));
    }

    /** {@code ln(1 + e^x)}, computed as {@code max(x, 0) + ln(1 + e^-|x|)} so that it never overflows. */
    static Tensor softplus(Tensor x) {
        Tensor out = compute(UnaryOp.SOFTPLUS, x, 0);
        return Tensor.recording(x) ? out.recordedBy(new Softplus(x)) : out;
    }

    /** d softplus(x)/dx = sigmoid(x). */
    static final class Softplus extends Node {
        @Override
        public String formula() {
            return "d softplus(x)/dx = sigmoid(x)";
        }

        Softplus(Tensor x) {
            super("softplus", x);
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).sigmoid()));
        }
    }

    /** {@code x} where {@code x > 0}, else {@code slope * x}. */
    static Tensor leakyRelu(Tensor x, double slope) {
        Tensor out = compute(UnaryOp.LEAKY_RELU, x, slope);
        return Tensor.recording(x) ? out.recordedBy(new LeakyRelu(x, slope)) : out;
    }

    /** d leakyRelu(x)/dx = 1 where x > 0, else slope (slope at the kink x = 0, as in PyTorch). */
    static final class LeakyRelu extends Node {
        @Override
        public String formula() {
            return "d leakyRelu(x)/dx = 1 if x > 0 else " + Formulas.number(slope);
        }

        private final double slope;

        LeakyRelu(Tensor x, double slope) {
            super("leakyRelu", x);
            this.slope = slope;
            save(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor positive = saved(0).gt(0);
            // mask + slope * (1 - mask): 1 on the positive side, slope elsewhere.
            return grads(g.mul(positive.mul(1 - slope).add(slope)));
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
        Tensor out = compute(BinaryOp.MAX, "maximum", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new Extremum("maximum", a, b)) : out;
    }

    /** The element-wise smaller of {@code a} and {@code b}, broadcast. */
    static Tensor minimum(Tensor a, Tensor b) {
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
        Tensor out = compute(BinaryOp.POW, "pow", a, b);
        return Tensor.recording(a, b) ? out.recordedBy(new PowTensor(a, b, out)) : out;
    }

    /**
     * d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a, taken as 0 where a = 0 (the limit for b > 0, as in
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
            Tensor ga = needsGrad(0) ? g.mul(b).mul(a.pow(b.sub(1))) : null;
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
        if (a.dtype() != b.dtype() || mask.dtype() != a.dtype()) {
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

        private final Tensor mask;

        Where(Tensor mask, Tensor a, Tensor b) {
            super("where", a, b);
            this.mask = mask;
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor zeros = Tensor.zerosLike(g);
            return grads(needsGrad(0) ? Tensor.where(mask, g, zeros) : null,
                    needsGrad(1) ? Tensor.where(mask, zeros, g) : null);
        }
    }
}
