package dev.autograd.internal.kernel;

/**
 * The sizes of a 2-d convolution or pooling of an NCHW input, checked by the caller: the input
 * {@code [n, c, h, w]}, the window {@code kh x kw} with its stride, zero padding (or -infinity, for max
 * pooling) and dilation, {@code groups} groups of channels, {@code o} output channels and the output
 * plane {@code ho x wo}.
 *
 * @param n      batch size
 * @param c      input channels
 * @param h      input height
 * @param w      input width
 * @param o      output channels (equal to {@code c} for pooling)
 * @param kh     window height
 * @param kw     window width
 * @param sh     vertical stride
 * @param sw     horizontal stride
 * @param ph     padding above and below
 * @param pw     padding left and right
 * @param dh     vertical dilation
 * @param dw     horizontal dilation
 * @param groups channel groups (1 for an ordinary convolution)
 * @param ho     output height
 * @param wo     output width
 */
public record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw,
                           int dh, int dw, int groups, int ho, int wo) {

    /** @return the input channels of one group */
    public int groupChannels() {
        return c / groups;
    }

    /** @return the output channels of one group */
    public int groupOutputs() {
        return o / groups;
    }

    /** @return the rows of one group's im2col matrix: {@code (c / groups) kh kw} */
    public int groupPatch() {
        return c / groups * kh * kw;
    }

    /** @return the output positions of one plane, {@code ho wo} */
    public int plane() {
        return ho * wo;
    }
}
