package dev.autograd;

import java.util.Arrays;
import java.util.List;
import dev.autograd.internal.kernel.Kernels;

/**
 * The backward pass. It walks the graph without recursion (a chain of a million ops must not overflow
 * the stack): first an explicit-stack walk numbers every reachable node and counts how many edges point
 * at it; then nodes run once all their consumers have run (Kahn's algorithm), newest first, each
 * receiving the sum of the gradients its consumers sent it.
 *
 * <p>The per-pass state (dependency counts, pending gradients) lives in arrays indexed by the number a
 * node gets in this pass, stored in {@link Node#passIndex}; no hash map or boxed comparator is touched per
 * node. A node may be reached by another pass at the same time (threads sharing leaves, or a backward
 * inside a hook): a number is trusted only when this pass's own node array agrees with it, and the pass
 * falls back to an identity map when another pass has renumbered one of its nodes.
 */
final class Engine {

    private Engine() {
    }

    /** The nodes one backward pass reaches and their state, indexed by their number in the pass. */
    private static final class Pass {
        Node[] nodes = new Node[16];
        /** Each node's {@link Node#sequence}, copied so that the ready heap compares without loading nodes. */
        long[] sequences = new long[16];
        int[] dependencies = new int[16];
        Tensor[] pending = new Tensor[16];
        int size;
        /** Numbers by identity; only once another pass has renumbered a node of this one. */
        java.util.IdentityHashMap<Node, Integer> byIdentity;
        /** For {@link Autograd#grad}: per node, the input it is (or -1); whether it leads to an input. */
        int[] captureIndex;
        boolean[] leadsToInput;

        /** This pass's number of {@code node}, or -1 when the pass has not reached it. */
        int indexOf(Node node) {
            int i = node.passIndex;
            if (i >= 0 && i < size && nodes[i] == node) {
                return i;
            }
            if (byIdentity != null) {
                Integer j = byIdentity.get(node);
                return j == null ? -1 : j;
            }
            return -1;
        }

        /** The number of a node this pass has reached, even if another pass renumbered it since. */
        int indexOfReached(Node node) {
            int i = indexOf(node);
            if (i < 0) {
                indexAll();
                i = byIdentity.get(node);
            }
            return i;
        }

        void indexAll() {
            byIdentity = new java.util.IdentityHashMap<>(2 * size);
            for (int i = 0; i < size; i++) {
                byIdentity.put(nodes[i], i);
            }
        }

        int add(Node node) {
            if (size == nodes.length) {
                int capacity = Math.max(16, nodes.length * 2);
                nodes = Arrays.copyOf(nodes, capacity);
                sequences = Arrays.copyOf(sequences, capacity);
                dependencies = Arrays.copyOf(dependencies, capacity);
                pending = Arrays.copyOf(pending, capacity);
            }
            int i = size++;
            nodes[i] = node;
            sequences[i] = node.sequence;
            node.passIndex = i;
            if (byIdentity != null) {
                byIdentity.put(node, i);
            }
            return i;
        }

        /** Whether every node still carries this pass's number (no other pass renumbered one meanwhile). */
        boolean numbersIntact() {
            for (int i = 0; i < size; i++) {
                if (nodes[i].passIndex != i) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Runs backward from {@code roots} with upstream gradients {@code rootGrads}. When {@code inputs} is
     * non-null, the gradients reaching those tensors are returned instead of being accumulated into
     * leaves' {@code grad()} ({@link Autograd#grad}); otherwise returns {@code null}.
     */
    static Tensor[] run(List<Tensor> roots, List<Tensor> rootGrads, boolean retainGraph, boolean createGraph,
                        List<Tensor> inputs, boolean allowUnused) {
        GradMode.State state = GradMode.state();
        boolean previousMode = state.enabled;
        state.enabled = createGraph;
        // Backward rules run in the dtypes their forward ops chose, never autocast again (as in PyTorch).
        DType previousAutocast = state.autocast;
        state.autocast = null;
        int outerStep = state.step;
        state.step = 0;
        try {
            Node[] rootNodes = new Node[roots.size()];
            Tensor[] rootGradients = new Tensor[roots.size()];
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
                rootGradients[r] = rootGrad(root, rootGrads == null ? null : rootGrads.get(r));
            }
            Pass pass = discover(rootNodes, false);
            if (!pass.numbersIntact()) {
                // Another pass renumbered a shared node while this one was numbering: number again by identity.
                pass = discover(rootNodes, true);
            }
            for (int r = 0; r < rootNodes.length; r++) {
                accumulate(pass, pass.indexOfReached(rootNodes[r]), rootGradients[r], createGraph);
            }

            Tensor[] captured = null;
            if (inputs != null) {
                pass.captureIndex = new int[pass.size];
                Arrays.fill(pass.captureIndex, -1);
                captured = new Tensor[inputs.size()];
                for (int i = 0; i < inputs.size(); i++) {
                    Node node = inputs.get(i).gradEdge();
                    if (node == null) {
                        throw new IllegalArgumentException("Autograd.grad: input " + i + " (shape "
                                + Shapes.format(inputs.get(i).shapeRef()) + ") does not require grad");
                    }
                    int index = pass.indexOf(node);
                    if (index >= 0) {
                        pass.captureIndex[index] = i;
                    }
                }
                // Only the nodes on a path to a requested input run (and are freed).
                pass.leadsToInput = pathsToInputs(pass, rootNodes);
            }

            // Ops run newest first, the reverse of the forward pass. Leaf accumulators run last: they have
            // no successors, so any moment is valid, and by then every other consumer of a gradient buffer
            // has finished, so a leaf can take the buffer over instead of copying it.
            ReadyQueue ready = new ReadyQueue(pass);
            boolean[] queued = new boolean[pass.size];
            for (Node node : rootNodes) {
                int i = pass.indexOfReached(node);
                if (pass.dependencies[i] == 0 && !queued[i]) {
                    queued[i] = true;
                    ready.add(i);
                }
            }
            for (int i = ready.poll(); i >= 0; i = ready.poll()) {
                Node node = pass.nodes[i];
                Tensor grad = pass.pending[i];
                pass.pending[i] = null;
                boolean needed = pass.leadsToInput == null || pass.leadsToInput[i];
                if (grad != null && needed) {
                    runNode(pass, i, grad, captured, createGraph, state);
                }
                if (grad != null) {
                    grad.storage.dropEngineRef();
                }
                if (!retainGraph && needed) {
                    node.release();
                }
                for (Node next : node.next) {
                    if (next != null) {
                        int j = pass.indexOfReached(next);
                        if (--pass.dependencies[j] == 0) {
                            ready.add(j);
                        }
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
            state.enabled = previousMode;
            state.autocast = previousAutocast;
            state.step = outerStep;
            state.keptOutputs = 0;
        }
    }

    /**
     * Numbers every node reachable from {@code roots} and counts the edges pointing at each, with an
     * explicit stack. {@code byIdentity} numbers through an identity map from the start, for when another
     * pass is numbering the same nodes.
     */
    private static Pass discover(Node[] roots, boolean byIdentity) {
        Pass pass = new Pass();
        if (byIdentity) {
            pass.byIdentity = new java.util.IdentityHashMap<>();
        }
        int[] stack = new int[16];
        int top = 0;
        for (Node root : roots) {
            if (pass.indexOf(root) < 0) {
                if (top == stack.length) {
                    stack = Arrays.copyOf(stack, 2 * top);
                }
                stack[top++] = pass.add(root);
            }
        }
        while (top > 0) {
            Node node = pass.nodes[stack[--top]];
            for (Node next : node.next) {
                if (next == null) {
                    continue;
                }
                int j = pass.indexOf(next);
                if (j < 0) {
                    j = pass.add(next);
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, 2 * top);
                    }
                    stack[top++] = j;
                }
                pass.dependencies[j]++;
            }
        }
        return pass;
    }

    /**
     * The nodes ready to run: ops in a binary max-heap on their sequence (newest first), leaf accumulators
     * in a list kept for after the last op, run newest first too.
     */
    private static final class ReadyQueue {
        private final Pass pass;
        private int[] heap = new int[16];
        private int heapSize;
        private int[] leaves = new int[4];
        private int leafCount;
        private boolean leavesSorted;
        private int nextLeaf;

        ReadyQueue(Pass pass) {
            this.pass = pass;
        }

        void add(int i) {
            if (pass.nodes[i] instanceof AccumulateGrad) {
                if (leafCount == leaves.length) {
                    leaves = Arrays.copyOf(leaves, 2 * leafCount);
                }
                leaves[leafCount++] = i;
                return;
            }
            if (heapSize == heap.length) {
                heap = Arrays.copyOf(heap, 2 * heapSize);
            }
            int k = heapSize++;
            long key = pass.sequences[i];
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                if (pass.sequences[heap[parent]] >= key) {
                    break;
                }
                heap[k] = heap[parent];
                k = parent;
            }
            heap[k] = i;
        }

        /** The next node to run, or -1 when none is left. */
        int poll() {
            if (heapSize > 0) {
                int top = heap[0];
                int last = heap[--heapSize];
                long key = pass.sequences[last];
                int k = 0;
                int half = heapSize >>> 1;
                while (k < half) {
                    int child = 2 * k + 1;
                    int right = child + 1;
                    if (right < heapSize && pass.sequences[heap[right]] > pass.sequences[heap[child]]) {
                        child = right;
                    }
                    if (key >= pass.sequences[heap[child]]) {
                        break;
                    }
                    heap[k] = heap[child];
                    k = child;
                }
                if (heapSize > 0) {
                    heap[k] = last;
                }
                return top;
            }
            if (!leavesSorted) {
                // Accumulators never make another node ready, so all of them are known once the ops are done.
                leavesSorted = true;
                Integer[] order = new Integer[leafCount];
                for (int j = 0; j < leafCount; j++) {
                    order[j] = leaves[j];
                }
                Arrays.sort(order, (a, b) -> Long.compare(pass.sequences[b], pass.sequences[a]));
                for (int j = 0; j < leafCount; j++) {
                    leaves[j] = order[j];
                }
            }
            return nextLeaf < leafCount ? leaves[nextLeaf++] : -1;
        }
    }

    private static void runNode(Pass pass, int index, Tensor grad, Tensor[] captured, boolean createGraph,
                                GradMode.State state) {
        Node node = pass.nodes[index];
        if (node.hooks() != null) {
            // A hook sees (and may keep) the gradient in its full shape; from here on the engine must not
            // write into it.
            grad = disown(expandTo(grad, node.outputShape, createGraph));
            grad = node.applyHooks(grad);
        }
        if (node.retainedOutput() != null && pass.captureIndex == null) {
            Tensor out = node.retainedOutput();
            Tensor full = expandTo(grad, out.shapeRef(), createGraph);
            out.grad = out.grad == null ? (full == grad ? grad.copy() : disown(full)) : out.grad.add(full);
        }
        if (pass.captureIndex != null) {
            int input = pass.captureIndex[index];
            if (input >= 0) {
                captured[input] = disown(node.outputShape == null ? grad
                        : expandTo(grad, node.outputShape, createGraph));
            }
            if (node instanceof AccumulateGrad || !anyNextLeadsToInput(pass, node)) {
                return;
            }
        }
        if (node.outputShape != null && node.outputShape != grad.shapeRef()
                && !java.util.Arrays.equals(grad.shapeRef(), node.outputShape)
                && (createGraph || !node.acceptsBroadcastGrad())) {
            grad = expandTo(grad, node.outputShape, createGraph);
        }
        if (node.gradDtype() != null) {
            // An op autocast computed in half precision with a FLOAT32 output: its backward starts from the
            // gradient rounded to the half dtype, as PyTorch's half-output op would receive it.
            grad = grad.to(node.gradDtype());
        }
        Tensor[] inputGrads = createGraph ? node.backward(grad) : node.fusedBackward(grad);
        boolean anomaly = state.anomaly || node.creationSite() != null;
        // What goes to each input; the op's own array until an entry differs (copied on write, never written).
        Tensor[] sent = inputGrads;
        for (int i = 0; i < node.next.length; i++) {
            Tensor g = inputGrads[i];
            if (g == null) {
                continue;
            }
            Tensor r = null;
            if (node.next[i] != null) {
                if (anomaly) {
                    checkFinite(node, i, g);
                }
                // A returned gradient stands for itself: it is summed over the axes where it is larger than the
                // input, and passed on unexpanded where it is smaller (an op that hands on a gradient standing
                // for a larger shape, as add does, reduces it itself with reduceTo).
                r = reduceTo(g, g.shapeRef(), node.inputShapes[i], createGraph);
            }
            if (r != g) {
                if (sent == inputGrads) {
                    sent = Arrays.copyOf(inputGrads, node.next.length);
                }
                sent[i] = r;
            }
        }
        if (sent.length != node.next.length) {
            sent = Arrays.copyOf(sent, node.next.length);
        }
        if (!state.listeners.isEmpty()) {
            // Listeners see every gradient in the shape of the tensor it belongs to, and may keep it.
            grad = disown(expandTo(grad, node.outputShape, createGraph));
            Tensor[] shown = new Tensor[node.next.length];
            for (int i = 0; i < sent.length; i++) {
                shown[i] = sent[i] == null ? null : disown(expandTo(sent[i], node.inputShapes[i], createGraph));
            }
            sent = shown;
            notifyListeners(node, grad, sent, state);
        }
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] != null) {
                accumulate(pass, pass.indexOfReached(node.next[i]), sent[i], createGraph);
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
    private static void accumulate(Pass pass, int index, Tensor g, boolean createGraph) {
        Tensor previous = pass.pending[index];
        if (previous == null) {
            pass.pending[index] = g;
            g.storage.addEngineRef();
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
        previous.storage.dropEngineRef();
        pass.pending[index] = sum;
        sum.storage.addEngineRef();
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
        if ((virtual == gs || Arrays.equals(virtual, gs)) && (gs == shape || Arrays.equals(gs, shape))) {
            return g;
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

    private static void notifyListeners(Node node, Tensor upstream, Tensor[] sent, GradMode.State state) {
        List<BackwardListener> listeners = state.listeners;
        if (listeners.isEmpty()) {
            return;
        }
        BackwardStep step = new BackwardStep(++state.step, node, upstream,
                java.util.Collections.unmodifiableList(Arrays.asList(sent)));
        for (BackwardListener listener : listeners) {
            listener.onStep(step);
        }
    }

    private static boolean anyNextLeadsToInput(Pass pass, Node node) {
        for (Node next : node.next) {
            if (next != null && pass.leadsToInput[pass.indexOfReached(next)]) {
                return true;
            }
        }
        return false;
    }

    /**
     * For every reached node, whether some path from it reaches a requested input: computed over a
     * topological order (Kahn, on a copy of the dependency counts) walked backwards, so without recursion.
     */
    private static boolean[] pathsToInputs(Pass pass, Node[] roots) {
        int[] remaining = Arrays.copyOf(pass.dependencies, pass.size);
        int[] order = new int[pass.size];
        int head = 0;
        int tail = 0;
        boolean[] queued = new boolean[pass.size];
        for (Node root : roots) {
            int i = pass.indexOfReached(root);
            if (remaining[i] == 0 && !queued[i]) {
                queued[i] = true;
                order[tail++] = i;
            }
        }
        while (head < tail) {
            Node node = pass.nodes[order[head++]];
            for (Node next : node.next) {
                if (next != null) {
                    int j = pass.indexOfReached(next);
                    if (--remaining[j] == 0) {
                        order[tail++] = j;
                    }
                }
            }
        }
        boolean[] leads = new boolean[pass.size];
        for (int k = tail - 1; k >= 0; k--) {
            int i = order[k];
            boolean reaches = pass.captureIndex[i] >= 0;
            for (Node next : pass.nodes[i].next) {
                reaches |= next != null && leads[pass.indexOfReached(next)];
            }
            leads[i] = reaches;
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
}
