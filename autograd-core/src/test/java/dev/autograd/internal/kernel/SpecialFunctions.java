package dev.autograd.internal.kernel;

/**
 * erf, erfc and the normal CDF to double precision by a power series and a continued fraction: slow (a loop of up
 * to 80 terms), but independent of the minimax fits of the kernels' {@code DoubleScalarMath}, which makes them a
 * float64 reference for the float32 accuracy tests.
 */
public final class SpecialFunctions {

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    private SpecialFunctions() {
    }

    /**
     * The error function {@code erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt}, to about 1e-16.
     *
     * <p>Below |x| = 3 it sums {@code erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1))},
     * whose terms are all positive (no cancellation); above, it uses the continued fraction of
     * {@code erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}, which converges fast
     * there.
     *
     * @param x the argument
     * @return erf(x), in [-1, 1]; NaN for NaN
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double result;
        if (a < 3) {
            double x2 = a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            result = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else if (a < 6.5) {
            result = 1 - erfcContinuedFraction(a);
        } else {
            result = 1;
        }
        return x < 0 ? -result : result;
    }

    /**
     * The complementary error function {@code erfc(x) = 1 - erf(x)}, with relative accuracy also where it
     * is tiny: from x = 3 on (erfc(3) = 2.2e-5) it is the continued fraction itself, not 1 - erf(x); below,
     * 1 - erf(x) loses at most 15 bits of the result's relative precision (about 1e-11).
     *
     * @param x the argument
     * @return erfc(x), in [0, 2]; NaN for NaN
     */
    public static double erfc(double x) {
        if (x >= 3) {
            return x >= 27.5 ? 0 : erfcContinuedFraction(x);
        }
        return 1 - erf(x);
    }

    /**
     * The standard normal CDF {@code Phi(x) = erfc(-x / sqrt 2) / 2}, accurate relative to itself in the left
     * tail (see {@link #erfc}).
     *
     * @param x the argument
     * @return Phi(x), in [0, 1]; NaN for NaN
     */
    public static double normalCdf(double x) {
        return erfc(-x * INV_SQRT2) / 2;
    }

    private static double erfcContinuedFraction(double a) {
        double f = a;
        for (int k = 80; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return Math.exp(-a * a) * ONE_OVER_SQRT_PI / f;
    }
}
