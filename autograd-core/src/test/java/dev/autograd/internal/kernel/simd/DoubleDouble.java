package dev.autograd.internal.kernel.simd;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A double-double number {@code hi + lo} (|lo| &lt;= ulp(hi)/2, about 106 bits) and the few functions the
 * accuracy tests need as references where {@link StrictMath} has none: sigmoid, softplus, erf, erfc, the
 * exact GELU and the tanh-GELU. Each reference is good to far below a float64 ulp (about 2^-100 relative in
 * the normal range), which is what lets the tests measure errors of a few ulps. Not fast: a few microseconds
 * per value.
 */
final class DoubleDouble {

    final double hi;
    final double lo;

    private DoubleDouble(double hi, double lo) {
        this.hi = hi;
        this.lo = lo;
    }

    static DoubleDouble of(double v) {
        return new DoubleDouble(v, 0);
    }

    static DoubleDouble of(BigDecimal v) {
        double hi = v.doubleValue();
        return new DoubleDouble(hi, v.subtract(new BigDecimal(hi)).doubleValue());
    }

    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI_DECIMAL =
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");
    static final DoubleDouble LN2 = of(new BigDecimal(
            "0.693147180559945309417232121458176568075500134360255254120680009"));
    static final DoubleDouble TWO_OVER_SQRT_PI = of(new BigDecimal(2).divide(PI_DECIMAL.sqrt(MC), MC));
    static final DoubleDouble INV_SQRT_PI = of(BigDecimal.ONE.divide(PI_DECIMAL.sqrt(MC), MC));
    static final DoubleDouble INV_SQRT2 = of(BigDecimal.ONE.divide(new BigDecimal(2).sqrt(MC), MC));
    /** 2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715: the tanh-GELU's z = x (A + B x^2). */
    static final DoubleDouble GELU_A = of(new BigDecimal(2).multiply(new BigDecimal(2).divide(PI_DECIMAL, MC)
            .sqrt(MC)));
    static final DoubleDouble GELU_B = of(new BigDecimal(2).multiply(new BigDecimal(2).divide(PI_DECIMAL, MC)
            .sqrt(MC)).multiply(new BigDecimal("0.044715")));

    double value() {
        return hi + lo;
    }

    private static DoubleDouble twoSum(double a, double b) {
        double s = a + b;
        double bb = s - a;
        return new DoubleDouble(s, (a - (s - bb)) + (b - bb));
    }

    private static DoubleDouble normalize(double a, double b) {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    DoubleDouble add(DoubleDouble o) {
        DoubleDouble s = twoSum(hi, o.hi);
        DoubleDouble t = twoSum(lo, o.lo);
        DoubleDouble u = normalize(s.hi, s.lo + t.hi);
        return normalize(u.hi, u.lo + t.lo);
    }

    DoubleDouble add(double o) {
        return add(of(o));
    }

    DoubleDouble neg() {
        return new DoubleDouble(-hi, -lo);
    }

    DoubleDouble sub(DoubleDouble o) {
        return add(o.neg());
    }

    DoubleDouble mul(DoubleDouble o) {
        double p = hi * o.hi;
        double e = Math.fma(hi, o.hi, -p);
        return normalize(p, e + (hi * o.lo + lo * o.hi));
    }

    DoubleDouble mul(double o) {
        return mul(of(o));
    }

    DoubleDouble div(DoubleDouble o) {
        double q1 = hi / o.hi;
        DoubleDouble r = sub(o.mul(q1));
        double q2 = r.hi / o.hi;
        r = r.sub(o.mul(q2));
        double q3 = r.hi / o.hi;
        return normalize(q1, q2).add(q3);
    }

    DoubleDouble scalb(int n) {
        return new DoubleDouble(Math.scalb(hi, n), Math.scalb(lo, n));
    }

    /** e^a for |a.hi| &lt;= 709 (the result is scaled by 2^n only at the end, in {@link #expValue}). */
    static DoubleDouble expUnscaled(DoubleDouble a, int[] n) {
        n[0] = (int) Math.rint(a.hi / LN2.hi);
        DoubleDouble r = a.sub(LN2.mul(n[0])).scalb(-10);
        // e^r - 1 by Taylor (|r| < 4e-4: ten terms reach 2^-110), then squared back ten times as
        // (1 + s)^2 - 1 = 2s + s^2.
        DoubleDouble term = r;
        DoubleDouble s = r;
        for (int k = 2; k <= 11; k++) {
            term = term.mul(r).div(of(k));
            s = s.add(term);
        }
        for (int i = 0; i < 10; i++) {
            s = s.add(s).add(s.mul(s));
        }
        return s.add(1);
    }

    /** e^a rounded to a double, subnormal and overflowing results included. */
    static double expValue(DoubleDouble a) {
        if (a.hi < -800) {
            return 0;
        }
        if (a.hi > 720) {
            return Double.POSITIVE_INFINITY;
        }
        int[] n = new int[1];
        DoubleDouble m = expUnscaled(a, n);
        // Scale the rounded sum in two steps of normal powers of two: one rounding in the subnormal range.
        double v = m.value();
        int half = n[0] / 2;
        return Math.scalb(Math.scalb(v, half), n[0] - half);
    }

    static DoubleDouble exp(DoubleDouble a) {
        int[] n = new int[1];
        return expUnscaled(a, n).scalb(n[0]);
    }

    /** ln(1 + e) for 0 &lt;= e &lt;= 1: 2 atanh(e / (2 + e)) by its series. */
    static DoubleDouble log1pSmall(DoubleDouble e) {
        DoubleDouble s = e.div(e.add(2));
        DoubleDouble s2 = s.mul(s);
        DoubleDouble power = s;
        DoubleDouble sum = s;
        for (int k = 1; k < 60; k++) {
            power = power.mul(s2);
            DoubleDouble term = power.div(of(2 * k + 1));
            sum = sum.add(term);
            if (Math.abs(term.hi) < 1e-34 * Math.abs(sum.hi)) {
                break;
            }
        }
        return sum.add(sum);
    }

    /** The logistic sigmoid of a double-double argument. */
    static DoubleDouble sigmoid(DoubleDouble z) {
        if (z.hi > 800) {
            return of(1);
        }
        if (z.hi < -800) {
            return of(0);
        }
        if (z.hi > 40) {
            DoubleDouble e = exp(z.neg());
            return of(1).sub(e).add(e.mul(e));
        }
        if (z.hi < -700) {
            return exp(z);
        }
        if (z.hi >= 0) {
            return of(1).div(exp(z.neg()).add(1));
        }
        DoubleDouble e = exp(z);
        return e.div(e.add(1));
    }

    static double sigmoid(double x) {
        if (x < -700) {
            // sigmoid(x) = e^x - e^2x + ...; the second term is far below the first's ulp.
            return expValue(of(x));
        }
        return sigmoid(of(x)).value();
    }

    static double softplus(double x) {
        if (x > 40) {
            return x + (x > 700 ? 0 : exp(of(-x)).value());
        }
        if (x < -700) {
            return expValue(of(x));
        }
        DoubleDouble e = exp(of(-Math.abs(x)));
        DoubleDouble l = log1pSmall(e);
        return (x > 0 ? l.add(x) : l).value();
    }

    /**
     * erf(a) for 0 &lt;= a &lt; 4 from {@code 2/sqrt(pi) e^(-a^2) sum 2^n a^(2n+1) / (1 3 5 ... (2n+1))}
     * (positive terms), with a^2 = square exactly.
     */
    static DoubleDouble erfSeries(DoubleDouble a, DoubleDouble square) {
        DoubleDouble term = a;
        DoubleDouble sum = a;
        DoubleDouble twoSquare = square.add(square);
        for (int n = 1; n < 400; n++) {
            term = term.mul(twoSquare).div(of(2 * n + 1));
            sum = sum.add(term);
            if (term.hi < 1e-34 * sum.hi) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI.mul(exp(square.neg())).mul(sum);
    }

    /** erfc(a) for a &gt;= 4 by its continued fraction, deep enough for about 2^-70 relative. */
    static DoubleDouble erfcContinuedFraction(DoubleDouble a, DoubleDouble square) {
        DoubleDouble f = a;
        for (int k = 160; k >= 1; k--) {
            f = a.add(of(k * (double) 0.5).div(f));
        }
        return exp(square.neg()).mul(INV_SQRT_PI).div(f);
    }

    /** erfc(a), a &gt;= 0, given a^2 exactly. */
    static DoubleDouble erfc(DoubleDouble a, DoubleDouble square) {
        if (a.hi >= 4) {
            return square.hi > 760 ? of(0) : erfcContinuedFraction(a, square);
        }
        return of(1).sub(erfSeries(a, square));
    }

    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 1e-10) {
            r = TWO_OVER_SQRT_PI.mul(a).mul(of(1).sub(of(a).mul(a).div(of(3)))).value();
        } else if (a >= 4) {
            r = a > 6 ? 1 : of(1).sub(erfcContinuedFraction(of(a), of(a).mul(a))).value();
        } else {
            r = erfSeries(of(a), of(a).mul(a)).value();
        }
        return x < 0 ? -r : r;
    }

    /** x Phi(x), Phi the standard normal CDF, with a = |x| / sqrt 2 and a^2 = x^2 / 2 as double-doubles. */
    static double gelu(double x) {
        if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
            return x;
        }
        if (x == Double.NEGATIVE_INFINITY || x < -40) {
            return -(double) 0;
        }
        if (x > 40) {
            return x;
        }
        DoubleDouble a = INV_SQRT2.mul(Math.abs(x));
        DoubleDouble square = of(x).mul(x).scalb(-1);
        if (x < 0 && a.hi >= 4) {
            // x e^(-a^2) / (2 sqrt(pi) K(a)): everything in the normal range, the power of two applied last, so
            // that a subnormal result is rounded once (a subnormal double-double keeps only the hi's few bits).
            DoubleDouble f = a;
            for (int k = 160; k >= 1; k--) {
                f = a.add(of(k * (double) 0.5).div(f));
            }
            int[] n = new int[1];
            DoubleDouble m = expUnscaled(square.neg(), n).mul(INV_SQRT_PI).div(f).mul(x).scalb(-1);
            int half = n[0] / 2;
            return Math.scalb(Math.scalb(m.value(), half), n[0] - half);
        }
        DoubleDouble tail = erfc(a, square).scalb(-1);
        return (x < 0 ? tail : of(1).sub(tail)).mul(x).value();
    }

    /** d/dx x Phi(x) = Phi(x) + x phi(x), Phi and phi the standard normal CDF and density; 0 and 1 far out. */
    static double geluDerivative(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) > 40) {
            return x > 0 ? 1 : 0;
        }
        DoubleDouble a = INV_SQRT2.mul(Math.abs(x));
        DoubleDouble square = of(x).mul(x).scalb(-1);
        DoubleDouble tail = erfc(a, square).scalb(-1);
        DoubleDouble cdf = x < 0 ? tail : of(1).sub(tail);
        DoubleDouble density = exp(square.neg()).mul(INV_SQRT_PI).mul(INV_SQRT2);
        return cdf.add(density.mul(x)).value();
    }

    /** d/dx x sigmoid(z), z = x (A + B x^2): s + x s (1 - s) (A + 3 B x^2), s = sigmoid(z); 0 and 1 far out. */
    static double geluTanhDerivative(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) > 30) {
            return x > 0 ? 1 : 0;
        }
        DoubleDouble xx = of(x);
        DoubleDouble square = xx.mul(xx);
        DoubleDouble z = xx.mul(GELU_A.add(GELU_B.mul(square)));
        // s (1 - s) = sigmoid(z) sigmoid(-z), without the cancellation of 1 - s.
        DoubleDouble slope = sigmoid(z).mul(sigmoid(z.neg()));
        DoubleDouble zPrime = GELU_A.add(GELU_B.mul(square).mul(3));
        return sigmoid(z).add(xx.mul(slope).mul(zPrime)).value();
    }

    /** x sigmoid(x (A + B x^2)) with the constants of the tanh-GELU to double-double precision. */
    static double geluTanh(double x) {
        if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY || x > 30) {
            return x;
        }
        if (x < -30) {
            return -(double) 0;
        }
        DoubleDouble xx = of(x);
        DoubleDouble z = xx.mul(GELU_A.add(GELU_B.mul(xx.mul(xx))));
        if (z.hi < -700) {
            // x e^z, rounded once even where it is subnormal.
            int[] n = new int[1];
            DoubleDouble m = expUnscaled(z, n).mul(x);
            int half = n[0] / 2;
            return Math.scalb(Math.scalb(m.value(), half), n[0] - half);
        }
        return sigmoid(z).mul(x).value();
    }
}
