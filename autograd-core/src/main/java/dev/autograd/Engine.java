package dev.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

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
                pending.merge(node, g, Tensor::add);
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
            PriorityQueue<Node> ready = new PriorityQueue<>(
                    Comparator.comparingLong((Node n) -> n.sequence).reversed());
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
                    runNode(node, grad, pending, captureIndex, captured, leadsToInput);
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
                                Tensor[] captured, Map<Node, Boolean> leadsToInput) {
        grad = node.applyHooks(grad);
        if (node.retainedOutput != null && captureIndex == null) {
            Tensor out = node.retainedOutput;
            out.grad = out.grad == null ? grad.copy() : out.grad.add(grad);
        }
        if (captureIndex != null) {
            Integer index = captureIndex.get(node);
            if (index != null) {
                captured[index] = grad;
            }
            if (node instanceof AccumulateGrad || !anyNextLeadsToInput(node, leadsToInput)) {
                return;
            }
        }
        Tensor[] inputGrads = node.backward(grad);
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
            if (!Arrays.equals(g.shapeRef(), node.inputShapes[i])) {
                g = ReduceOps.sumTo(g, node.inputShapes[i]);
            }
            sent[i] = g;
        }
        notifyListeners(node, grad, sent);
        for (int i = 0; i < node.next.length; i++) {
            if (sent[i] != null) {
                pending.merge(node.next[i], sent[i], Tensor::add);
            }
        }
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
            return Tensor.onesLike(root);
        }
        if (!Arrays.equals(given.shapeRef(), root.shapeRef()) || given.dtype() != root.dtype()) {
            throw new IllegalArgumentException("backward: the gradient has shape " + Shapes.format(given.shapeRef())
                    + " and dtype " + given.dtype() + " but the root has shape " + Shapes.format(root.shapeRef())
                    + " and dtype " + root.dtype() + "; they must match");
        }
        // A copy, so that accumulating into a leaf never aliases the caller's tensor.
        return GradMode.isEnabled() ? given : given.detach().copy();
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
