package dev.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import dev.autograd.internal.kernel.Kernels;

/**
 * The backward pass. It walks the graph without recursion (a chain of a million ops must not overflow
 * the stack): first an explicit-stack depth-first walk counts, for every reachable node, how many edges
 * point at it; then nodes run once all their consumers have run (Kahn's algorithm), newest first, each
 * receiving the sum of the gradients its consumers sent it.
 */
final class Engine {

    private Engine() {
    }

    /**
     * Runs backward from {@code roots} with upstream gradients {@code rootGrads}. When {@code inputs} is
     * non-null, the gradients reaching those tensors are returned instead of being accumulated into
     * leaves' {@code grad()} ({@link Autograd#grad}); otherwise returns {@code null}.
     */
    static Tensor[] run(List<Tensor> roots, List<Tensor> rootGrads, boolean retainGraph, boolean createGraph,
                        List<Tensor> inputs, boolean allowUnused) {
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        Node[] rootNodes = new Node[roots.size()];
        boolean previousMode = GradMode.set(createGraph);
        int outerStep = STEP.get()[0];
        STEP.get()[0] = 0;
        try {
            for (int r = 0; r < roots.size(); r++) {
                Tensor root = roots.get(r);
                Node node = root.gradEdge();
                if (node == null) {
                    throw new IllegalStateException("backward: the tensor of shape " + Shapes.format(root.shapeRef())
                            + " does not require grad and has no gradFn, so there is nothing to differentiate."
                            + " Call requiresGrad(true) on the leaves it is computed from before computing it,"
                            + " outside Autograd.noGrad().");
                }
                rootNodes[r] = node;
                Tensor g = rootGrad(root, rootGrads == null ? null : rootGrads.get(r));
                accumulate(pending, node, g, createGraph);
            }

            Map<Node, Integer> captureIndex = null;
            Tensor[] captured = null;
            if (inputs != null) {
                captureIndex = new IdentityHashMap<>();
                captured = new Tensor[inputs.size()];
                for (int i = 0; i < inputs.size(); i++) {
                    Node node = inputs.get(i).gradEdge();
                    if (node == null) {
                        throw new IllegalArgumentException("Autograd.grad: input " + i + " (shape "
                                + Shapes.format(inputs.get(i).shapeRef()) + ") does not require grad");
                    }
                    captureIndex.put(node, i);
                }
            }

            Map<Node, int[]> dependencies = countDependencies(rootNodes);
            // For Autograd.grad only the nodes on a path to a requested input run (and are freed).
            Map<Node, Boolean> leadsToInput = captureIndex == null ? null
                    : pathsToInputs(rootNodes, dependencies, captureIndex);
            // Ops run newest first, the reverse of the forward pass. Leaf accumulators run last: they have
            // no successors, so any moment is valid, and by then every other consumer of a gradient buffer
            // has finished, so a leaf can take the buffer over instead of copying it.
            PriorityQueue<Node> ready = new PriorityQueue<>(
                    Comparator.comparingLong((Node n) -> n instanceof AccumulateGrad ? -1 : 1)
                            .thenComparingLong(n -> n.sequence).reversed());
            for (Node node : rootNodes) {
                if (dependencies.get(node)[0] == 0 && !ready.contains(node)) {
                    ready.add(node);
                }
            }
            while (!ready.isEmpty()) {
                Node node = ready.poll();
                Tensor grad = pending.remove(node);
                boolean needed = leadsToInput == null || leadsToInput.get(node);
                if (grad != null && needed) {
                    runNode(node, grad, pending, captureIndex, captured, leadsToInput, createGraph);
                }
                if (grad != null) {
                    grad.storage.engineRefs--;
                }
                if (!retainGraph && needed) {
                    node.release();
                }
                for (Node next : node.next) {
                    if (next != null && --dependencies.get(next)[0] == 0) {
                        ready.add(next);
                    }
                }
            }
            if (captured != null && !allowUnused) {
                for (int i = 0; i < captured.length; i++) {
                    if (captured[i] == null) {
                        throw new IllegalArgumentException("Autograd.grad: input " + i + " (shape "
                                + Shapes.format(inputs.get(i).shapeRef()) + ") is not used to compute the"
                                + " outputs, so it has no gradient. Pass allowUnused=true to get null for it.");
                    }
                }
            }
            return captured;
        } finally {
            GradMode.set(previousMode);
            STEP.get()[0] = outerStep;
        }
    }

    private static void runNode(Node node, Tensor grad, Map<Node, Tensor> pending, Map<Node, Integer> captureIndex,
                                Tensor[] captured, Map<Node, Boolean> leadsToInput, boolean createGraph) {
        if (node.hooks != null) {
            // A hook sees (and may keep) the gradient in its full shape; from here on the engine must not
            // write into it.
            grad = disown(expandTo(grad, node.outputShape, createGraph));
            grad = node.applyHooks(grad);
        }
        if (node.retainedOutput != null && captureIndex == null) {
            Tensor out = node.retainedOutput;
            Tensor full = expandTo(grad, out.shapeRef(), createGraph);
            out.grad = out.grad == null ? (full == grad ? grad.copy() : disown(full)) : out.grad.add(full);
        }
        if (captureIndex != null) {
            Integer index = captureIndex.get(node);
            if (index != null) {
                captured[index] = disown(node.outputShape == null ? grad
                        : expandTo(grad, node.outputShape, createGraph));
            }
            if (node instanceof AccumulateGrad || !anyNextLeadsToInput(node, leadsToInput)) {
                return;
            }
        }
        if (node.outputShape != null && !java.util.Arrays.equals(grad.shapeRef(), node.outputShape)
                && (createGraph || !node.acceptsBroadcastGrad())) {
            grad = expandTo(grad, node.outputShape, createGraph);
        }
        Tensor[] inputGrads = createGraph ? node.backward(grad) : node.fusedBackward(grad);
        boolean anomaly = GradMode.isAnomalyDetection() || node.creationSite != null;
        Tensor[] sent = new Tensor[node.next.length];
        for (int i = 0; i < node.next.length; i++) {
            Node next = node.next[i];
            if (next == null || inputGrads[i] == null) {
                continue;
            }
            Tensor g = inputGrads[i];
            if (anomaly) {
                checkFinite(node, i, g);
            }
            // A returned gradient stands for itself: it is summed over the axes where it is larger than the
            // input, and passed on unexpanded where it is smaller (an op that hands on a gradient standing for
            // a larger shape, as add does, reduces it itself with reduceTo).
            sent[i] = reduceTo(g, g.shapeRef(), node.inputShapes[i], createGraph);
        }
        if (!GradMode.listeners().isEmpty()) {
            // Listeners see every gradient in the shape of the tensor it belongs to, and may keep it.
            grad = disown(expandTo(grad, node.outputShape, createGraph));
            for (int i = 0; i < sent.length; i++) {
                sent[i] = sent[i] == null ? null : disown(expandTo(sent[i], node.inputShapes[i], createGraph));
            }
            notifyListeners(node, grad, sent);
        }
        for (int i = 0; i < node.next.length; i++) {
            if (sent[i] != null) {
                accumulate(pending, node.next[i], sent[i], createGraph);
            }
        }
    }

    // ---------------------------------------------------------------- gradient buffers

    /**
     * Marks a tensor that a backward kernel has just created as a gradient buffer nobody else holds, so
     * that the engine may add into it in place or give it to a leaf without copying. Only for fresh
     * results: never for a view of another tensor, a saved tensor or an upstream gradient.
     */
    static Tensor owned(Tensor fresh) {
        fresh.storage.engineOwned = true;
        return fresh;
    }

    /** Makes a gradient visible outside the engine: it will never be written in place again. */
    static Tensor disown(Tensor t) {
        if (t != null) {
            t.storage.engineOwned = false;
        }
        return t;
    }

    /**
     * Whether the engine may write into {@code t}: a buffer of its own, held by at most the one slot the
     * caller took it from, and not part of a recorded graph.
     */
    static boolean writable(Tensor t) {
        return t.storage.engineOwned && t.storage.engineRefs <= 1 && t.gradFn == null && !GradMode.isEnabled();
    }

    /**
     * Adds {@code g} to the gradient pending for {@code node}. In a plain backward the sum goes in place
     * into whichever of the two buffers the engine owns alone and has the sum's shape; otherwise (or
     * under createGraph, where the sum is recorded) a new tensor holds it.
     */
    private static void accumulate(Map<Node, Tensor> pending, Node node, Tensor g, boolean createGraph) {
        Tensor previous = pending.get(node);
        if (previous == null) {
            pending.put(node, g);
            g.storage.engineRefs++;
            return;
        }
        Tensor sum;
        if (createGraph) {
            sum = previous.add(g);
        } else if (writable(previous) && previous != g && covers(previous, g)) {
            Kernels.addInto(previous.storage.array, previous.shapeRef(), g.storage.array, g.shapeRef());
            return;
        } else if (writable(g) && g.storage != previous.storage && covers(g, previous)) {
            Kernels.addInto(g.storage.array, g.shapeRef(), previous.storage.array, previous.shapeRef());
            sum = g;
        } else {
            sum = owned(previous.add(g));
        }
        previous.storage.engineRefs--;
        pending.put(node, sum);
        sum.storage.engineRefs++;
    }

    /** Whether {@code target} already has the broadcast shape of {@code target + other}. */
    private static boolean covers(Tensor target, Tensor other) {
        int[] t = target.shapeRef();
        int[] o = other.shapeRef();
        if (o.length > t.length) {
            return false;
        }
        for (int i = 1; i <= o.length; i++) {
            int od = o[o.length - i];
            if (od != 1 && od != t[t.length - i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code g} as a gradient of the given shape: itself when the shapes match, else its repeats
     * materialised (a recorded {@code expand} under createGraph).
     */
    static Tensor expandTo(Tensor g, int[] shape, boolean createGraph) {
        if (java.util.Arrays.equals(g.shapeRef(), shape)) {
            return g;
        }
        if (createGraph) {
            return g.expand(shape);
        }
        return owned(Tensor.wrap(Kernels.stridedCopy(g.storage.array, 0, Shapes.broadcastStrides(g.shapeRef(), shape),
                shape), shape));
    }

    /**
     * Brings an input's gradient back to the input's shape. {@code g} stands for its broadcast to
     * {@code virtual} (the op's broadcast shape); the input's gradient is its sum over the axes that
     * broadcasting added or stretched for the input. Along such an axis, a {@code g} that is itself only
     * broadcast (extent 1) sums to {@code extent * g}: a multiplication, not a loop. In a plain backward,
     * a result smaller than the input (one that only broadcasts to it) is passed on as it is; its repeats
     * are read with zero strides by whoever consumes it, or materialised by the engine at the last moment.
     */
    static Tensor reduceTo(Tensor g, int[] virtual, int[] shape, boolean createGraph) {
        int[] gs = g.shapeRef();
        if (createGraph) {
            return java.util.Arrays.equals(gs, shape) ? g : ReduceOps.sumTo(g, shape);
        }
        int rank = virtual.length;
        int[] axes = new int[gs.length];
        int count = 0;
        long repeats = 1;
        for (int d = 0; d < rank; d++) {
            int fromEnd = rank - d;
            int inputExtent = fromEnd <= shape.length ? shape[shape.length - fromEnd] : 1;
            int gAxis = gs.length - fromEnd;
            int gExtent = gAxis >= 0 ? gs[gAxis] : 1;
            if (inputExtent != 1 || virtual[d] == 1) {
                continue;
            }
            if (gExtent != 1) {
                axes[count++] = gAxis;
            } else {
                repeats *= virtual[d];
            }
        }
        if (count == 0 && repeats == 1 && gs.length <= shape.length) {
            return g;
        }
        Tensor reduced = g;
        if (count > 0) {
            reduced = owned(ReduceOps.sum(g, java.util.Arrays.copyOf(axes, count), true));
        }
        if (repeats != 1) {
            reduced = owned(ElementwiseOps.compute(dev.autograd.internal.kernel.BinaryOp.MUL, "sum", reduced,
                    Tensor.scalar(repeats, reduced.dtype())));
        }
        int leading = reduced.shapeRef().length - shape.length;
        if (leading > 0) {
            int[] rs = reduced.shapeRef();
            Tensor view = new Tensor(reduced.storage, java.util.Arrays.copyOfRange(rs, leading, rs.length));
            return view;
        }
        return reduced;
    }

    private static void notifyListeners(Node node, Tensor upstream, Tensor[] sent) {
        List<BackwardListener> listeners = GradMode.listeners();
        if (listeners.isEmpty()) {
            return;
        }
        BackwardStep step = new BackwardStep(STEP.get()[0]++ + 1, node, upstream, java.util.Collections.unmodifiableList(Arrays.asList(sent)));
        for (BackwardListener listener : listeners) {
            listener.onStep(step);
        }
    }

    /** Per-thread step counter of the current backward pass, for listeners. */
    private static final ThreadLocal<int[]> STEP = ThreadLocal.withInitial(() -> new int[1]);

    private static boolean anyNextLeadsToInput(Node node, Map<Node, Boolean> leadsToInput) {
        for (Node next : node.next) {
            if (next != null && leadsToInput.get(next)) {
                return true;
            }
        }
        return false;
    }

    /**
     * For every reachable node, whether some path from it reaches a requested input: computed over a
     * topological order (Kahn, on a copy of the dependency counts) walked backwards, so without recursion.
     */
    private static Map<Node, Boolean> pathsToInputs(Node[] roots, Map<Node, int[]> dependencies,
                                                    Map<Node, Integer> captureIndex) {
        Map<Node, int[]> remaining = new IdentityHashMap<>();
        dependencies.forEach((node, count) -> remaining.put(node, new int[] {count[0]}));
        List<Node> order = new java.util.ArrayList<>(dependencies.size());
        Deque<Node> queue = new ArrayDeque<>();
        for (Node root : roots) {
            if (remaining.get(root)[0] == 0 && !queue.contains(root)) {
                queue.add(root);
            }
        }
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            order.add(node);
            for (Node next : node.next) {
                if (next != null && --remaining.get(next)[0] == 0) {
                    queue.add(next);
                }
            }
        }
        Map<Node, Boolean> leads = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Node node = order.get(i);
            boolean reaches = captureIndex.containsKey(node);
            for (Node next : node.next) {
                reaches |= next != null && leads.get(next);
            }
            leads.put(node, reaches);
        }
        return leads;
    }

    private static void checkFinite(Node node, int input, Tensor g) {
        double[] values = g.toDoubleArray();
        for (int j = 0; j < values.length; j++) {
            if (!Double.isFinite(values[j])) {
                throw new IllegalStateException("anomaly: the backward of '" + node.name() + "' produced " + values[j]
                        + " in the gradient of its input " + input + " (shape " + Shapes.format(g.shapeRef())
                        + ", first at flat index " + j + "). The op was created at:" + node.describeCreationSite());
            }
        }
    }

    private static Tensor rootGrad(Tensor root, Tensor given) {
        if (given == null) {
            if (root.numel() != 1) {
                throw new IllegalStateException("backward: the root has shape " + Shapes.format(root.shapeRef())
                        + "; backward() without a gradient needs a single-element tensor such as a scalar loss."
                        + " Reduce it first (for example y.sum()) or pass the upstream gradient:"
                        + " y.backward(Tensor.onesLike(y)).");
            }
            return owned(Tensor.onesLike(root));
        }
        if (!Arrays.equals(given.shapeRef(), root.shapeRef()) || given.dtype() != root.dtype()) {
            throw new IllegalArgumentException("backward: the gradient has shape " + Shapes.format(given.shapeRef())
                    + " and dtype " + given.dtype() + " but the root has shape " + Shapes.format(root.shapeRef())
                    + " and dtype " + root.dtype() + "; they must match");
        }
        // A copy, so that accumulating into a leaf never aliases the caller's tensor.
        return GradMode.isEnabled() ? given : owned(given.detach().copy());
    }

    private static Map<Node, int[]> countDependencies(Node[] roots) {
        Map<Node, int[]> dependencies = new IdentityHashMap<>();
        Deque<Node> stack = new ArrayDeque<>();
        for (Node root : roots) {
            if (dependencies.putIfAbsent(root, new int[1]) == null) {
                stack.push(root);
            }
        }
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            for (Node next : node.next) {
                if (next == null) {
                    continue;
                }
                int[] count = dependencies.get(next);
                if (count == null) {
                    dependencies.put(next, new int[] {1});
                    stack.push(next);
                } else {
                    count[0]++;
                }
            }
        }
        return dependencies;
    }
}
