package dev.autograd;

import java.util.List;
import java.util.function.Function;

/**
 * Function transforms in the style of JAX and {@code torch.func}, built on reverse mode.
 *
 * <p>Every transform evaluates {@code f} on a fresh copy of {@code x} that requires grad, so the caller's
 * tensors and their gradients are untouched, and returns plain values (detached).
 *
 * <p>Forward mode ({@link #jvp}) uses the double-vjp method rather than dual numbers: with
 * {@code u -> vjp(f, x, u) = J^T u} linear in u, differentiating {@code <J^T u, v>} with respect to u gives
 * {@code J v}. It costs one forward of f and two backward passes (the second through the recorded first),
 * about 3-4 times a forward, and needs every op's backward to be differentiable, which holds in this
 * engine. Dual numbers would cost about 2 forwards but need a second implementation of every op.
 */
public final class Functional {

    private Functional() {
    }

    /**
     * The gradient function of a scalar function: {@code grad(f).apply(x) = df/dx}.
     *
     * @param f a function returning a single-element tensor
     * @return the function {@code x -> df/dx}, of x's shape
     */
    public static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
        return x -> {
            try (var scope = Autograd.enableGrad()) {
                Tensor input = fresh(x);
                Tensor y = f.apply(input);
                if (y.numel() != 1) {
                    throw new IllegalArgumentException("Functional.grad: f must return a single element, got shape "
                            + Shapes.format(y.shapeRef()) + "; use vjp or jacobian for other outputs");
                }
                return gradient(y, input, null, false);
            }
        };
    }

    /**
     * The vector-Jacobian product {@code v^T J = sum_i v_i d f_i / d x} at x.
     *
     * @param f the function
     * @param x the point
     * @param v a tensor of f(x)'s shape
     * @return a tensor of x's shape
     */
    public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        try (var scope = Autograd.enableGrad()) {
            Tensor input = fresh(x);
            Tensor y = f.apply(input);
            checkShape("vjp", "v", v, y);
            return gradient(y, input, v, false);
        }
    }

    /**
     * The Jacobian-vector product {@code J v = sum_j d f / d x_j v_j} at x (forward mode, computed by the
     * double-vjp method; see the class comment for its cost).
     *
     * @param f the function
     * @param x the point
     * @param v a tensor of x's shape (the direction)
     * @return a tensor of f(x)'s shape
     */
    public static Tensor jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        checkShape("jvp", "v", v, x);
        Tensor input = fresh(x);
        try (var scope = Autograd.enableGrad()) {
            Tensor y = f.apply(input);
            if (!y.requiresGrad()) {
                return Tensor.zerosLike(y);
            }
            Tensor u = Tensor.zerosLike(y).requiresGrad(true);
            Tensor vjp = Autograd.grad(List.of(y), List.of(input), List.of(u), true, true, true).get(0);
            if (vjp == null || !vjp.requiresGrad()) {
                return Tensor.zerosLike(y);
            }
            Tensor inner = vjp.mul(v).sum();
            Tensor jv = Autograd.grad(List.of(inner), List.of(u), null, false, false, true).get(0);
            return jv == null ? Tensor.zerosLike(y) : jv.detach();
        }
    }

    /**
     * The Jacobian {@code J[i..., j...] = d f(x)[i...] / d x[j...]}, one backward pass per output element.
     *
     * @param f the function
     * @param x the point
     * @return a tensor of shape {@code f(x).shape ++ x.shape}
     */
    public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
        try (var scope = Autograd.enableGrad()) {
            return jacobianWithGrad(f, x);
        }
    }

    private static Tensor jacobianWithGrad(Function<Tensor, Tensor> f, Tensor x) {
        Tensor input = fresh(x);
        Tensor y = f.apply(input);
        int m = y.numel();
        int n = x.numel();
        double[] rows = new double[m * n];
        for (int i = 0; i < m; i++) {
            double[] oneHot = new double[m];
            oneHot[i] = 1;
            Tensor row = gradient(y, input, Tensor.of(oneHot, y.shapeRef()).to(y.dtype()), true);
            System.arraycopy(row.toDoubleArray(), 0, rows, i * n, n);
        }
        int[] shape = new int[y.dim() + x.dim()];
        System.arraycopy(y.shapeRef(), 0, shape, 0, y.dim());
        System.arraycopy(x.shapeRef(), 0, shape, y.dim(), x.dim());
        return Tensor.of(rows, shape).to(x.dtype());
    }

    /**
     * The Hessian of a scalar function, {@code H[i..., j...] = d^2 f / d x[i...] d x[j...]}: the Jacobian of
     * its gradient, by double backward.
     *
     * @param f a function returning a single-element tensor
     * @param x the point
     * @return a tensor of shape {@code x.shape ++ x.shape}
     */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        return jacobian(differentiableGrad(f), x);
    }

    /**
     * The Hessian-vector product {@code H v} of a scalar function, by differentiating {@code <grad f, v>}
     * (two backward passes, no Hessian formed).
     *
     * @param f a function returning a single-element tensor
     * @param x the point
     * @param v a tensor of x's shape
     * @return a tensor of x's shape
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        checkShape("hvp", "v", v, x);
        Function<Tensor, Tensor> g = differentiableGrad(f);
        return grad(in -> g.apply(in).mul(v).sum()).apply(x);
    }

    /** {@code x -> df/dx} with the graph of the gradient kept, so that it can be differentiated again. */
    private static Function<Tensor, Tensor> differentiableGrad(Function<Tensor, Tensor> f) {
        return in -> {
            try (var scope = Autograd.enableGrad()) {
                Tensor y = f.apply(in);
                if (y.numel() != 1) {
                    throw new IllegalArgumentException("Functional: f must return a single element for a Hessian, got"
                            + " shape " + Shapes.format(y.shapeRef()));
                }
                if (!y.requiresGrad()) {
                    return Tensor.zerosLike(in);
                }
                Tensor g = Autograd.grad(List.of(y), List.of(in), null, true, true, true).get(0);
                return g == null ? Tensor.zerosLike(in) : g;
            }
        };
    }

    private static Tensor gradient(Tensor y, Tensor input, Tensor upstream, boolean retainGraph) {
        if (!y.requiresGrad()) {
            return Tensor.zerosLike(input);
        }
        Tensor g = Autograd.grad(List.of(y), List.of(input), upstream == null ? null : List.of(upstream),
                retainGraph, false, true).get(0);
        return g == null ? Tensor.zerosLike(input) : g.detach();
    }

    private static Tensor fresh(Tensor x) {
        return x.detach().requiresGrad(true);
    }

    private static void checkShape(String op, String name, Tensor v, Tensor like) {
        if (!java.util.Arrays.equals(v.shapeRef(), like.shapeRef()) || v.dtype() != like.dtype()) {
            throw new IllegalArgumentException("Functional." + op + ": " + name + " has shape " + Shapes.format(v.shapeRef())
                    + " " + v.dtype() + " but must match " + Shapes.format(like.shapeRef()) + " " + like.dtype());
        }
    }
}
