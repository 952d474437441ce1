package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradient clipping, between {@code backward()} and the optimizer's {@code step()}, like PyTorch's
 * {@code clip_grad_norm_} and {@code clip_grad_value_}. Gradients are rewritten in place (in
 * {@link Autograd#noGrad()}); parameters without a gradient are skipped.
 *
 * <p>Core may hand the same gradient storage to several leaves (an {@code add} sends one upstream
 * gradient to both operands, and a leaf keeps it without copying). So the new values of all gradients are
 * computed first and only then written, absolute values rather than relative updates: a shared storage is
 * then written twice with the same values instead of being scaled twice.
 */
public final class GradClip {

    private static final Logger LOG = LoggerFactory.getLogger(GradClip.class);

    private GradClip() {
    }

    /**
     * Scales all gradients together so that their global L2 norm {@code ||g|| = sqrt(sum_p sum_i g_{p,i}^2)}
     * is at most {@code maxNorm}: when {@code maxNorm / (||g|| + 1e-6) < 1} every gradient is multiplied by
     * that factor, as PyTorch does. The direction of the update is kept; only its length is capped. When
     * the norm is NaN or infinite the gradients are left unchanged and a warning is logged: check the
     * returned value (e.g. to skip the step).
     *
     * @param parameters the parameters whose gradients to clip (a tensor listed twice counts once)
     * @param maxNorm    the largest allowed global norm, positive
     * @return the global norm before clipping (accumulated in double precision)
     * @throws IllegalArgumentException when {@code maxNorm} is not positive
     */
    public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be positive, got " + maxNorm);
        }
        List<Tensor> grads = grads(parameters);
        double norm = norm(grads);
        if (!Double.isFinite(norm)) {
            LOG.warn("clipGradNorm: the gradient norm is {}; gradients left unchanged", norm);
            return norm;
        }
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1) {
            try (var s = Autograd.noGrad()) {
                List<Tensor> scaled = new ArrayList<>(grads.size());
                for (Tensor g : grads) {
                    scaled.add(g.mul(scale));
                }
                for (int i = 0; i < grads.size(); i++) {
                    grads.get(i).copyFrom(scaled.get(i));
                }
            }
        }
        return norm;
    }

    /**
     * The global L2 norm {@code ||g|| = sqrt(sum_p sum_i g_{p,i}^2)} of the parameters' gradients, the value
     * {@link #clipGradNorm} compares with its bound (PyTorch's {@code get_total_norm}), without changing any
     * gradient: for monitoring, or for clipping by a rule of your own.
     *
     * @param parameters the parameters (a tensor listed twice counts once; those without a gradient count 0)
     * @return the norm, accumulated in double precision; NaN or infinite when a gradient is
     */
    public static double totalNorm(Iterable<Tensor> parameters) {
        return norm(grads(parameters));
    }

    private static double norm(List<Tensor> grads) {
        double sumSq = 0;
        for (Tensor g : grads) {
            for (double v : g.toDoubleArray()) {
                sumSq += v * v;
            }
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Clamps every gradient element to {@code [-clip, clip]}. Unlike {@link #clipGradNorm}, this changes the
     * direction of the update.
     *
     * @param parameters the parameters whose gradients to clip
     * @param clip       the largest allowed absolute value, positive
     * @throws IllegalArgumentException when {@code clip} is not positive
     */
    public static void clipGradValue(Iterable<Tensor> parameters, double clip) {
        if (!(clip > 0)) {
            throw new IllegalArgumentException("clipGradValue: clip must be positive, got " + clip);
        }
        List<Tensor> grads = grads(parameters);
        try (var s = Autograd.noGrad()) {
            List<Tensor> clamped = new ArrayList<>(grads.size());
            for (Tensor g : grads) {
                clamped.add(g.clamp(-clip, clip));
            }
            for (int i = 0; i < grads.size(); i++) {
                grads.get(i).copyFrom(clamped.get(i));
            }
        }
    }

    private static List<Tensor> grads(Iterable<Tensor> parameters) {
        List<Tensor> grads = new ArrayList<>();
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Tensor p : parameters) {
            if (seen.add(p) && p.grad() != null) {
                grads.add(p.grad());
            }
        }
        return grads;
    }
}
