package dev.autograd.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict parser for the Graphviz DOT that {@code GraphExport} writes, for tests of graph pictures: a
 * {@code digraph} with graph attributes, {@code node [...]} defaults, node statements with attribute lists
 * and edges {@code a -> b [...]}. It fails (with an {@link AssertionError}, as a test assertion would) on
 * unbalanced braces or brackets, unterminated strings, text after the closing brace, and edges whose
 * endpoints are not declared as nodes.
 */
public final class DotGraph {

    /**
     * An edge {@code from -> to} with its attributes.
     *
     * @param from  the source node id
     * @param to    the target node id
     * @param attrs its attributes
     */
    public record Edge(String from, String to, Map<String, String> attrs) {
    }

    /**
     * A parsed graph.
     *
     * @param name       the graph's name
     * @param attributes graph attributes (e.g. rankdir)
     * @param nodes      node id to its attributes (label, shape, ...)
     * @param edges      the edges in order
     */
    public record Graph(String name, Map<String, String> attributes, Map<String, Map<String, String>> nodes,
                 List<Edge> edges) {
    }

    private final List<String> tokens;
    private final List<Boolean> quoted = new ArrayList<>();
    private int pos;

    private DotGraph(String text) {
        this.tokens = tokenize(text);
    }

    /**
     * Parses DOT text.
     *
     * @param text the document
     * @return the graph
     * @throws AssertionError when the text is not well-formed or an edge names an undeclared node
     */
    public static Graph parse(String text) {
        return new DotGraph(text).graph();
    }

    private List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw new AssertionError("unterminated string in DOT:\n" + s);
                    }
                    char d = s.charAt(i++);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && i < s.length()) {
                        char n = s.charAt(i++);
                        sb.append(n == 'n' ? '\n' : n);
                    } else {
                        sb.append(d);
                    }
                }
                out.add(sb.toString());
                quoted.add(true);
            } else if (s.startsWith("->", i)) {
                out.add("->");
                quoted.add(false);
                i += 2;
            } else if ("{}[];,=".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                quoted.add(false);
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '#' || c == '-') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "_.#-".indexOf(s.charAt(i)) >= 0)
                        && !s.startsWith("->", i)) {
                    i++;
                }
                out.add(s.substring(start, i));
                quoted.add(false);
            } else {
                throw new AssertionError("unexpected character '" + c + "' at " + i + " in DOT:\n" + s);
            }
        }
        return out;
    }

    private String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private boolean symbol(String s) {
        return pos < tokens.size() && !quoted.get(pos) && tokens.get(pos).equals(s);
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw new AssertionError("DOT ends early (unbalanced braces or brackets?)");
        }
        return tokens.get(pos++);
    }

    private void expect(String s) {
        if (!symbol(s)) {
            throw new AssertionError("DOT: expected '" + s + "' at token " + pos + ", found '" + peek() + "'");
        }
        pos++;
    }

    private String id() {
        boolean isQuoted = pos < tokens.size() && quoted.get(pos);
        String t = next();
        if (!isQuoted && "{}[];,=->".contains(t)) {
            throw new AssertionError("DOT: expected an identifier at token " + (pos - 1) + ", found '" + t + "'");
        }
        return t;
    }

    private Graph graph() {
        String kind = next();
        if (!kind.equals("digraph")) {
            throw new AssertionError("DOT: expected 'digraph', found '" + kind + "'");
        }
        String name = symbol("{") ? "" : id();
        expect("{");
        Map<String, String> attributes = new LinkedHashMap<>();
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        List<Edge> edges = new ArrayList<>();
        while (!symbol("}")) {
            if (peek() == null) {
                throw new AssertionError("DOT: missing closing '}'");
            }
            String first = id();
            if (symbol("=")) {
                pos++;
                attributes.put(first, id());
            } else if (symbol("->")) {
                List<String> chain = new ArrayList<>(List.of(first));
                while (symbol("->")) {
                    pos++;
                    chain.add(id());
                }
                Map<String, String> attrs = symbol("[") ? attributes() : Map.of();
                for (int i = 0; i + 1 < chain.size(); i++) {
                    edges.add(new Edge(chain.get(i), chain.get(i + 1), attrs));
                }
            } else {
                Map<String, String> attrs = symbol("[") ? attributes() : Map.of();
                if (!Set.of("node", "edge", "graph").contains(first)) {
                    nodes.put(first, attrs);
                }
            }
            if (symbol(";")) {
                pos++;
            }
        }
        expect("}");
        if (pos != tokens.size()) {
            throw new AssertionError("DOT: text after the closing '}': " + tokens.subList(pos, tokens.size()));
        }
        Set<String> undeclared = new HashSet<>();
        for (Edge e : edges) {
            for (String end : List.of(e.from(), e.to())) {
                if (!nodes.containsKey(end)) {
                    undeclared.add(end);
                }
            }
        }
        if (!undeclared.isEmpty()) {
            throw new AssertionError("DOT: edges refer to undeclared nodes " + undeclared);
        }
        return new Graph(name, attributes, nodes, edges);
    }

    private Map<String, String> attributes() {
        expect("[");
        Map<String, String> attrs = new LinkedHashMap<>();
        while (!symbol("]")) {
            String key = id();
            expect("=");
            attrs.put(key, id());
            if (symbol(",") || symbol(";")) {
                pos++;
            }
        }
        expect("]");
        return attrs;
    }
}
