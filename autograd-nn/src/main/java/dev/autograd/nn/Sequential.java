package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Modules applied one after another, {@code y = m_k(... m_1(m_0(x)))}, registered under the names
 * {@code "0"}, {@code "1"}, ... (so parameters are named {@code "0.weight"}, as in PyTorch's
 * {@code nn.Sequential}).
 *
 * <pre>{@code
 * Sequential model = new Sequential(new Linear(2, 16, rng), new ReLU(), new Linear(16, 1, rng));
 * }</pre>
 */
public class Sequential extends Module {

    private final List<Module> layers = new ArrayList<>();

    /**
     * A sequence of the given modules.
     *
     * @param modules the modules, applied in order
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /**
     * A sequence of the given modules.
     *
     * @param modules the modules, applied in order
     */
    public Sequential(List<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /**
     * Appends a module, registered under the next index.
     *
     * @param module the module to apply after the current last one
     * @return this sequence
     */
    public final Sequential add(Module module) {
        layers.add(registerModule(Integer.toString(layers.size()), module));
        return this;
    }

    /**
     * The module at position {@code index}.
     *
     * @param index the position, from 0
     * @return the module
     * @throws IndexOutOfBoundsException when there is no such position
     */
    public final Module get(int index) {
        return layers.get(index);
    }

    /** @return the number of modules */
    public final int size() {
        return layers.size();
    }

    /** @return the modules in order, unmodifiable */
    public final List<Module> layers() {
        return Collections.unmodifiableList(layers);
    }

    /**
     * Applies every module in order.
     *
     * @param x the first module's input
     * @return the last module's output ({@code x} itself for an empty sequence)
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) {
            h = m.forward(h);
        }
        return h;
    }
}
