package dev.autograd.examples;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Flat JSON objects, one a line: what the benchmark command's child JVMs and its numpy script print, and
 * what it writes. Only what those lines hold is supported: one object whose values are strings, numbers,
 * booleans or {@code null} (no nested objects or arrays), so the examples need no JSON library.
 */
final class JsonLines {

    /** The characters written as a backslash and a letter, and those letters, position by position. */
    private static final String ESCAPED = "\"\\\n\r\t\b\f";
    private static final String ESCAPES = "\"\\nrtbf";

    private JsonLines() {
    }

    /**
     * Reads one line holding one flat JSON object.
     *
     * @param line the text, surrounding white space allowed
     * @return the members in their order: {@link String}, {@link Double}, {@link Boolean} or {@code null} values
     * @throws IllegalArgumentException naming the position when the line is not such an object
     */
    static Map<String, Object> parse(String line) {
        return new Parser(line).object();
    }

    /**
     * Writes one flat JSON object on one line. Numbers that are not finite have no JSON form and are written
     * as {@code null}; integral values without a fraction.
     *
     * @param members the members in the order to write; values {@link CharSequence}, {@link Number},
     *                {@link Boolean} or {@code null}
     * @return the line, without a line break
     */
    static String write(Map<String, ?> members) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, ?> e : members.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            quote(sb, e.getKey());
            sb.append(": ");
            Object v = e.getValue();
            if (v == null || v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof Number) {
                sb.append(number(((Number) v).doubleValue()));
            } else {
                quote(sb, v.toString());
            }
        }
        return sb.append('}').toString();
    }

    /** @return {@code v} as a JSON number: integral values without a fraction, {@code null} when not finite */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).toLowerCase(Locale.ROOT);   // 1.5E-7 -> 1.5e-7, also valid JSON, reads better
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int escape = ESCAPED.indexOf(c);
            if (escape >= 0) {
                sb.append('\\').append(ESCAPES.charAt(escape));
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    /** A recursive-descent reader of one flat object. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> object() {
            Map<String, Object> members = new LinkedHashMap<>();
            expect('{');
            if (peek() == '}') {
                i++;
            } else {
                do {
                    String key = string();
                    expect(':');
                    members.put(key, value());
                } while (next(',', '}') == ',');
            }
            if (peek() != 0) {
                throw error("text after the object");
            }
            return members;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                int start = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                try {
                    return Double.parseDouble(s.substring(start, i));
                } catch (NumberFormatException e) {
                    throw error("a malformed number");
                }
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            throw error(c == '{' || c == '[' ? "a nested object or array (only flat objects are read)"
                    : "no JSON value");
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                if (e != 'u') {
                    int escape = ESCAPES.indexOf(e);
                    sb.append(escape >= 0 ? ESCAPED.charAt(escape) : e);   // \/ is a plain /
                    continue;
                }
                if (i + 4 > s.length()) {
                    throw error("a truncated \\u escape");
                }
                try {
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                } catch (NumberFormatException ex) {
                    throw error("a malformed \\u escape");
                }
                i += 4;
            }
            throw error("an unterminated string");
        }

        private char peek() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i < s.length() ? s.charAt(i) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "' expected");
            }
            i++;
        }

        private char next(char a, char b) {
            char c = peek();
            if (c != a && c != b) {
                throw error("'" + a + "' or '" + b + "' expected");
            }
            i++;
            return c;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not a flat JSON object: " + what + " at position " + i + " of: " + s);
        }
    }
}
