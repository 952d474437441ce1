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
        Relu(Tensor x, Tensor out) {
            super("relu", x);
            save(out);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.mul(saved(0).gt(0)));
        }
    }
}
