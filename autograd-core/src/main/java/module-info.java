/**
 * Reverse-mode automatic differentiation for the JVM: tensors on a recorded graph, backward, and
 * {@link dev.autograd.GradCheck} for testing gradients.
 *
 * <p>Only {@code dev.autograd} is exported; the kernels in {@code dev.autograd.internal.kernel} are an
 * implementation detail that may change in any release.
 */
module dev.autograd.core {
    requires org.slf4j;
    // Optional: the SIMD kernels run only when the application adds this module
    // (--add-modules jdk.incubator.vector); without it the portable kernels run.
    requires static jdk.incubator.vector;

    exports dev.autograd;
}
