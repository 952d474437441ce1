package dev.autograd;

import java.util.Locale;

/** Number formatting for derivative formulas: integers without decimals, others compactly. */
final class Formulas {

    private Formulas() {
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
