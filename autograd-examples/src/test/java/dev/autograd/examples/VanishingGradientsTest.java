package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.nn.GradientMonitor.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Vanishing gradients in a sigmoid stack, not with ReLU or residual connections; exploding ones tamed by clipping. */
class VanishingGradientsTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("vanishing-gradients");

    @Test
    void showsVanishingAndExplodingGradientsAndDrawsThem() throws Exception {
        VanishingGradients.Config d = VanishingGradients.Config.defaults();
        // The default network (the effects need its depth and width), fewer steps.
        VanishingGradients.Config small = new VanishingGradients.Config(d.depth(), d.width(), d.samples(), 15,
                d.learningRate(), d.initStd(), d.maxNorm(), d.seed());
        VanishingGradients.Result[] result = new VanishingGradients.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = VanishingGradients.run(DIR, small, o));
        VanishingGradients.Result r = result[0];

        double[] sigmoid = r.layerNorms().get("sigmoid");
        double[] relu = r.layerNorms().get("ReLU");
        double[] residual = r.layerNorms().get("sigmoid + residual");
        assertEquals(d.depth(), sigmoid.length);
        assertTrue(sigmoid[0] < 1e-4 * sigmoid[sigmoid.length - 1], "sigmoid: the first layer's gradient vanishes");
        assertTrue(relu[0] > 1e-2 * relu[relu.length - 1], "ReLU keeps it");
        assertTrue(residual[0] > 1e-3 * residual[residual.length - 1], "so do residual connections");
        assertTrue(r.atInit().get("sigmoid").warnings().stream().anyMatch(w -> w.kind() == Kind.VANISHING && w.layer().equals("0")));
        assertTrue(r.atInit().get("ReLU").healthy());
        assertTrue(r.atInit().get("sigmoid + residual").healthy());

        assertFalse(r.plain().finite(), "plain SGD diverges: " + r.plain().losses());
        assertTrue(r.plain().warningKinds().contains(Kind.EXPLODING), r.plain().warnings().toString());
        assertTrue(r.clipped().finite(), "clipping keeps it finite: " + r.clipped().losses());
        assertEquals(small.steps(), r.clipped().losses().size());
        assertTrue(r.clipped().losses().get(small.steps() - 1) < r.clipped().losses().get(0), r.clipped().losses().toString());
        for (int i = 0; i < r.clipped().clippedNorms().size(); i++) {
            assertTrue(r.clipped().clippedNorms().get(i) <= small.maxNorm() + 1e-9, "after clipping, norm <= maxNorm");
        }

        assertTrue(out.contains("layer                sigmoid                  ReLU    sigmoid + residual"), out);
        assertTrue(out.contains("monitor: VANISHING in layers 1"), out);
        assertTrue(out.contains("first EXPLODING warning"), out);

        ExampleAssertions.assertPicture(DIR.resolve("vanishing-gradients.png"), 5);
        ExampleAssertions.assertPicture(DIR.resolve("exploding-gradients.png"), 5);
        assertEquals(2, r.files().size());
        ExampleAssertions.assertListedInReadme("vanishing-gradients", r.files());
    }
}
