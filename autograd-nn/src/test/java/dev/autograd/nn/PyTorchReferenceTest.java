package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attention layers against PyTorch's own {@code nn.MultiheadAttention}, {@code nn.TransformerEncoderLayer}
 * and {@code nn.TransformerEncoder} (batch first, dropout 0): the same parameters (filled by name order, which
 * is PyTorch's state-dict order) and inputs give the same outputs and weights to 1e-12. The reference arrays
 * were printed by {@code src/test/python/attention_reference.py} with PyTorch 2.13.0+cpu in float64; that
 * script says how parameters and inputs are filled.
 */
class PyTorchReferenceTest {

    private static final double TOLERANCE = 1e-12;

    /** value[i] = 0.4 sin(1.3 i + 0.7 k + 0.2) for the k-th tensor of the state dict, as the script does. */
    private static void fill(Module m) {
        int k = 0;
        try (var s = Autograd.noGrad()) {
            for (Tensor t : m.stateDict().values()) {
                double[] v = new double[t.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.4 * Math.sin(1.3 * i + 0.7 * k + 0.2);
                }
                t.copyFrom(Tensor.of(v, t.shape()));
                k++;
            }
        }
    }

    private static Tensor inputs(double seed, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.cos(0.9 * i + seed);
        }
        return Tensor.of(v, shape);
    }

    private static final AttentionMask PAD = AttentionMask.ignore(Tensor.of(new double[] {0, 0, 1, 0, 0, 0}, 2, 3));

    @Test
    void selfAttentionWithPaddingAndCausalMasksPerHeadWeights() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(1));
        fill(mha);
        Tensor x = inputs(0.0, 2, 3, 4);
        MultiheadAttention.Result r = mha.forward(x, x, x, PAD, AttentionMask.causal(3), true, false);
        assertValues(SELF_OUT, r.output(), TOLERANCE);
        assertArrayEquals(new int[] {2, 2, 3, 3}, r.weights().shape());
        assertValues(SELF_WEIGHTS, r.weights(), TOLERANCE);
    }

    @Test
    void crossAttentionWithAnAdditiveMaskAveragedWeights() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, new Random(2));
        fill(mha);
        Tensor q = inputs(1.0, 2, 2, 4);
        Tensor kv = inputs(2.0, 2, 3, 4);
        MultiheadAttention.Result r = mha.forward(q, kv, kv.mul(0.5), null, AttentionMask.additive(inputs(3.0, 2, 3)),
                true, true);
        assertValues(CROSS_OUT, r.output(), TOLERANCE);
        assertValues(CROSS_WEIGHTS, r.weights(), TOLERANCE);
    }

    @Test
    void encoderLayersPostNormReluAndPreNormGelu() {
        Tensor x = inputs(0.0, 2, 3, 4);
        TransformerEncoderLayer post = new TransformerEncoderLayer(4, 2, 6, 0.0, TransformerEncoderLayer.Activation.RELU,
                false, 1e-5, new Random(3));
        fill(post);
        assertValues(POST_RELU, post.forward(x, AttentionMask.causal(3), PAD), TOLERANCE);
        TransformerEncoderLayer pre = new TransformerEncoderLayer(4, 2, 6, 0.0, TransformerEncoderLayer.Activation.GELU,
                true, 1e-5, new Random(4));
        fill(pre);
        assertValues(PRE_GELU, pre.forward(x, AttentionMask.causal(3), PAD), TOLERANCE);
    }

    @Test
    void encoderStackWithFinalNorm() {
        Random rng = new Random(5);
        TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(4, 2, 6, 0.0,
                TransformerEncoderLayer.Activation.GELU, true, 1e-5, rng), 2, new LayerNorm(4));
        fill(enc);
        assertValues(STACK, enc.forward(inputs(0.0, 2, 3, 4)), TOLERANCE);
    }

    // ------------------------------------------------------------------------ printed by attention_reference.py

    static final double[] SELF_OUT = {
            -0.9028749466587049, -0.9673876870479898, 0.06756403255416721, 1.1886898420885565, -0.3304969389567907,
            -0.5766657644409802, -0.1386945059799078, 0.6046967916790164, -0.032967594571094994, -0.37123205554012445,
            -0.2437256154313644, 0.3008454312117965, 0.2907793656465329, -0.3324874352161772, -0.531167574559047,
            -0.00724188887727209, 0.15167247442399, -0.17988590551686717, -0.24906796187637134, 0.10449332444184303,
            -0.10365641665486247, -0.35801892938110996, -0.1606556535766101, 0.36547162907925945
    };
    static final double[] SELF_WEIGHTS = {
            1.0, 0.0, 0.0, 0.7399554070722472, 0.26004459292775295, 0.0, 0.48205029490355356, 0.5179497050964466, 0.0,
            1.0, 0.0, 0.0, 0.6048710889853653, 0.39512891101463465, 0.0, 0.4961754525555404, 0.5038245474444596, 0.0,
            1.0, 0.0, 0.0, 0.5272802343620594, 0.4727197656379405, 0.0, 0.20334726816402965, 0.42182902719810667,
            0.37482370463786385, 1.0, 0.0, 0.0, 0.4992557832580097, 0.5007442167419903, 0.0, 0.19749823568934724,
            0.5413943491581292, 0.26110741515252367
    };
    static final double[] CROSS_OUT = {
            0.16263396659520113, -0.13248672439037673, -0.21561484092008854, 0.0884408330654455, -0.09715104294744181,
            -0.35556777492389285, -0.1648642138297539, 0.3590769133405024, -0.1535469091870285, -0.3526881079490506,
            -0.10577000361915367, 0.41157049168765036, -0.2613755571484598, -0.44345472569507016, -0.08299270288083999,
            0.5236801996799147
    };
    static final double[] CROSS_WEIGHTS = {
            0.22512590034035668, 0.18332162714797648, 0.591552472511667, 0.3531390155815939, 0.5070854621996032,
            0.13977552221880293, 0.18243471274340628, 0.2800168483044033, 0.5375484389521905, 0.4823884656860158,
            0.18874758790774698, 0.32886394640623723
    };
    static final double[] POST_RELU = {
            0.22912952096329137, 0.2960219488506491, -0.5316175383813002, 0.2544394464351627, 0.5183814044575391,
            0.20082956824428383, -0.4920546431623047, 0.3909712164303135, 0.00900017646595882, 0.5870772190150186,
            -0.3315900604335167, -0.20171930200980423, 0.5408348795716033, 0.27402385219322195, -0.4546489058570969,
            0.40876289149999495, 0.14676478579749022, 0.5638527929384367, -0.4006029505098446, 0.12927518541416744,
            0.05556431357629497, 0.6036414216045967, -0.34459933980068497, -0.08743323220722414
    };
    static final double[] PRE_GELU = {
            0.6236597026527033, 0.2151728049032616, -0.2615499016005354, -0.36884840879949077, -1.2666563929583374,
            -0.6684084256269294, 0.5618680217871972, 1.5989786831945114, 0.19943011338330457, -0.6441918375516956,
            -0.9387279580993464, -0.34219172243214513, -0.6140777654069906, 0.09358071308625077, 0.8988327985319085,
            1.2635382339709769, -0.6506165506612442, -1.3054980616649554, -0.912705334326953, 0.37832441331870265,
            0.215793663396003, 0.49461194783906837, 0.5801481586289133, 0.3792242589142495
    };
    static final double[] STACK = {
            -0.9767380443734093, 0.042618699014248, 0.12083142419957513, -0.08200501887235459, 0.06825751927950671,
            0.20478473372189376, 0.496703470442308, 0.6687721481322727, -0.9177903805872321, 0.15618123369271256,
            0.04869684375837038, 0.2591191124080357, 0.13957943244906287, 0.17047182511763695, 0.5420070211838425,
            0.6173701732875847, -0.37397680387295296, 0.2821137987402203, 0.2446837990195661, 0.7198824783368113,
            0.14530251958026594, 0.1668576291701627, 0.5449978921042444, 0.6126217086008287
    };
}
