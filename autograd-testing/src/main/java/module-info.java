/**
 * jqwik generators for property tests of gradients: shapes, broadcast pairs, tensors over value domains.
 */
module dev.autograd.testing {
    requires transitive dev.autograd.core;
    requires transitive net.jqwik.api;

    exports dev.autograd.testing;
}
