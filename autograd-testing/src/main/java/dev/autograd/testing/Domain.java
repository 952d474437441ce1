package dev.autograd.testing;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The values an op may be checked at: a closed interval, optionally with points (kinks such as 0 for relu
 * and abs, or poles such as 0 for log and 1/x) kept at a distance. Finite differences at a kink measure
 * nothing useful, so a gradient property draws from a domain that avoids them.
 *
 * <pre>{@code
 * Domain.bounded(-3, 3)                      // anything moderate
 * Domain.positive()                          // log, sqrt, pow with a fractional exponent
 * Domain.bounded(-3, 3).awayFrom(0.05, 0)    // relu, abs, leakyRelu
 * }</pre>
 *
 * <p>Values shrink towards the lower end of the interval nearest zero, so a failing case shrinks to small,
 * readable numbers.
 */
public final class Domain {

    private final double low;
    private final double high;
    private final double margin;
    private final double[] avoided;
    private final int scale;

    private Domain(double low, double high, double margin, double[] avoided, int scale) {
        if (!(low <= high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("Domain: need finite low <= high, got [" + low + ", " + high + "]");
        }
        if (margin < 0 || margin * 2 * Math.max(1, avoided.length) >= high - low && avoided.length > 0) {
            throw new IllegalArgumentException("Domain: a margin of " + margin + " around " + Arrays.toString(avoided)
                    + " leaves too little of [" + low + ", " + high + "] to draw from");
        }
        this.low = low;
        this.high = high;
        this.margin = margin;
        this.avoided = avoided;
        this.scale = scale;
    }

    /**
     * Values in {@code [low, high]}.
     *
     * @param low  the smallest value
     * @param high the largest value
     * @return the domain
     */
    public static Domain bounded(double low, double high) {
        return new Domain(low, high, 0, new double[0], 4);
    }

    /**
     * Values in {@code [0.1, 3]}: positive and away from 0, for log, sqrt, division and fractional powers.
     *
     * @return the domain
     */
    public static Domain positive() {
        return bounded(0.1, 3);
    }

    /**
     * Values in {@code [low, high]} with {@code low > 0}.
     *
     * @param low  the smallest value, positive
     * @param high the largest value
     * @return the domain
     */
    public static Domain positive(double low, double high) {
        if (!(low > 0)) {
            throw new IllegalArgumentException("Domain.positive: low must be > 0, got " + low);
        }
        return bounded(low, high);
    }

    /**
     * This domain without the values closer than {@code margin} to any of {@code points}.
     *
     * @param margin the distance to keep, e.g. 0.05 (well above GradCheck's eps)
     * @param points the kinks or poles to avoid
     * @return the narrowed domain
     */
    public Domain awayFrom(double margin, double... points) {
        double[] all = Arrays.copyOf(avoided, avoided.length + points.length);
        System.arraycopy(points, 0, all, avoided.length, points.length);
        return new Domain(low, high, Math.max(this.margin, margin), all, scale);
    }

    /**
     * Draws values with this many decimal places (default 4); fewer give rounder, more readable failing
     * cases, but more ties.
     *
     * @param decimals decimal places, 0 to 15
     * @return the domain with that scale
     */
    public Domain withDecimals(int decimals) {
        if (decimals < 0 || decimals > 15) {
            throw new IllegalArgumentException("Domain.withDecimals: need 0 to 15, got " + decimals);
        }
        return new Domain(low, high, margin, avoided, decimals);
    }

    /**
     * @param value a number
     * @return whether it lies in this domain
     */
    public boolean contains(double value) {
        if (value < low || value > high) {
            return false;
        }
        for (double point : avoided) {
            if (Math.abs(value - point) < margin) {
                return false;
            }
        }
        return true;
    }

    /** @return an arbitrary of the values of this domain, shrinking towards the end nearest zero */
    public Arbitrary<Double> values() {
        Arbitrary<Double> doubles = Arbitraries.doubles().between(low, high).ofScale(scale);
        return avoided.length == 0 ? doubles : doubles.filter(this::contains);
    }

    @Override
    public String toString() {
        return "[" + low + ", " + high + "]" + (avoided.length == 0 ? "" : " away from " + Arrays.toString(avoided)
                + " by " + margin);
    }
}
