package dev.autograd.examples;

import dev.autograd.BackwardTrace;
import dev.autograd.GraphExport;
import dev.autograd.Tensor;
import dev.autograd.nn.GradientMonitor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.optim.Optimizer;
import dev.autograd.nn.optim.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The README's "The same tools from your own code" block (region {@code tools}), with the model, optimizer, data
 * and loss it takes from "your own code". {@link ReadmeSnippetsTest} checks that the README shows this region
 * and runs {@link #run} with the README's snippets, in a working directory under {@code target/}.
 */
final class ReadmeSeeingGradients {

    private ReadmeSeeingGradients() {
    }

    public static void run() throws IOException {
        Random random = new Random(0);
        MLP model = MLP.builder(2, 8, 1).activation(Tanh::new).build(random);
        Optimizer optimizer = new SGD(model.parameters(), 0.1);
        Tensor x = Tensor.randn(random, 16, 2);
        Tensor y = Tensor.randn(random, 16, 1);
        Tensor loss = Losses.mse(model.forward(x), y);

        // region tools
        // the graph behind a tensor: DOT for Graphviz, or an indented tree for a terminal
        Files.writeString(Path.of("graph.dot"), GraphExport.toDot(loss));
        if (GraphExport.isDotAvailable()) {                                      // Graphviz's dot program
            GraphExport.render(GraphExport.toDot(loss), Path.of("graph.svg"));   // .png and .pdf too
        }
        System.out.println(GraphExport.toText(loss));

        // every chain-rule step: upstream gradient, local rule, local derivative, what goes to each input
        try (BackwardTrace trace = BackwardTrace.start()) {
            loss.backward();
            System.out.println(trace.toTable());
        }

        // gradient flow through a model: per-layer gradient and weight norms, update-to-weight ratios, and
        // SLF4J warnings naming the layer and the remedies when gradients vanish or explode
        GradientMonitor monitor = new GradientMonitor(model);
        optimizer.zeroGrad();
        Losses.mse(model.forward(x), y).backward();
        monitor.step(optimizer);                     // or beforeStep(); optimizer.step(); afterStep();
        System.out.println(monitor.last().toTable());
        monitor.history();                           // every step as records: layers, parameters, warnings
        // endregion

        check(Files.size(Path.of("graph.dot")) > 0, "graph.dot written");
        check(!GraphExport.isDotAvailable() || Files.size(Path.of("graph.svg")) > 0, "graph.svg written");
        check(monitor.history().size() == 1, "one step monitored");
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("README tools block: expected " + what);
        }
    }
}
