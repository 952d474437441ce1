package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.MathConstants;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * The vector evaluations of the minimax polynomials of {@code DoubleVectorMath} ({@link ForDouble}) and of its
 * generated float32 twin {@code FloatVectorMath} ({@link ForFloat}). The coefficients, the constants and what
 * each polynomial approximates are in {@link MathConstants}, shared with the scalar versions of the functions;
 * each method here evaluates in exactly the order of the scalar evaluation there (Horner's rule, one fused
 * multiply-add per step), so that a lane's result and the scalar result are the same bits.
 *
 * <p>This file's name holds no "Double", so the generator leaves it alone; the build's float generator rewrites
 * {@code Polynomials.ForDouble.x} in {@code DoubleVectorMath} into {@code Polynomials.ForFloat.x}, so the two
 * classes below declare the same names. These methods are small enough that C2 inlines them into the calling pass
 * even after compiling them on their own, so the vectors never leave registers (see {@code DoubleVectorMath} on
 * why that needs care).
 */
final class Polynomials {

    private Polynomials() {
    }

    /** Float64 polynomials on vectors: {@link MathConstants.ForDouble}'s, lane by lane. */
    static final class ForDouble {

        private ForDouble() {
        }

        /** {@link MathConstants.ForDouble#expPolynomial}. */
        static DoubleVector expPolynomial(DoubleVector r) {
            return r.fma(MathConstants.ForDouble.EXP_10, MathConstants.ForDouble.EXP_9)
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_8))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_7))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_6))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_5))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_4))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_3))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_2))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_1))
                    .fma(r, r.broadcast(MathConstants.ForDouble.EXP_0));
        }

        /** {@link MathConstants.ForDouble#logPolynomial}. */
        static DoubleVector logPolynomial(DoubleVector z) {
            return z.fma(MathConstants.ForDouble.LOG_7, MathConstants.ForDouble.LOG_6)
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_5))
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_4))
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_3))
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_2))
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_1))
                    .fma(z, z.broadcast(MathConstants.ForDouble.LOG_0));
        }

        /** {@link MathConstants.ForDouble#sinPolynomial}. */
        static DoubleVector sinPolynomial(DoubleVector z) {
            return z.fma(MathConstants.ForDouble.SIN_5, MathConstants.ForDouble.SIN_4)
                    .fma(z, z.broadcast(MathConstants.ForDouble.SIN_3))
                    .fma(z, z.broadcast(MathConstants.ForDouble.SIN_2))
                    .fma(z, z.broadcast(MathConstants.ForDouble.SIN_1))
                    .fma(z, z.broadcast(MathConstants.ForDouble.SIN_0));
        }

        /** {@link MathConstants.ForDouble#cosPolynomial}. */
        static DoubleVector cosPolynomial(DoubleVector z) {
            return z.fma(MathConstants.ForDouble.COS_5, MathConstants.ForDouble.COS_4)
                    .fma(z, z.broadcast(MathConstants.ForDouble.COS_3))
                    .fma(z, z.broadcast(MathConstants.ForDouble.COS_2))
                    .fma(z, z.broadcast(MathConstants.ForDouble.COS_1))
                    .fma(z, z.broadcast(MathConstants.ForDouble.COS_0));
        }

        /** {@link MathConstants.ForDouble#erfSmallPolynomial}. */
        static DoubleVector erfSmallPolynomial(DoubleVector z) {
            return z.fma(MathConstants.ForDouble.ERF_SMALL_11, MathConstants.ForDouble.ERF_SMALL_10)
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_9))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_8))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_7))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_6))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_5))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_4))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_3))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_2))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_1))
                    .fma(z, z.broadcast(MathConstants.ForDouble.ERF_SMALL_0));
        }

        /** {@link MathConstants.ForDouble#erfcxRational}. */
        static DoubleVector erfcxRational(DoubleVector a) {
            DoubleVector p = a.fma(MathConstants.ForDouble.ERFCX_P10, MathConstants.ForDouble.ERFCX_P9)
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P8))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P7))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P6))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P5))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P4))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P3))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P2))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P1))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_P0));
            DoubleVector q = a.fma(MathConstants.ForDouble.ERFCX_Q11, MathConstants.ForDouble.ERFCX_Q10)
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q9))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q8))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q7))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q6))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q5))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q4))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q3))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q2))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q1))
                    .fma(a, a.broadcast(MathConstants.ForDouble.ERFCX_Q0));
            return p.div(q);
        }
    }

    /** Float32 polynomials on vectors: {@link MathConstants.ForFloat}'s, lane by lane. */
    static final class ForFloat {

        private ForFloat() {
        }

        /** {@link MathConstants.ForFloat#expPolynomial}. */
        static FloatVector expPolynomial(FloatVector r) {
            return r.fma(MathConstants.ForFloat.EXP_4, MathConstants.ForFloat.EXP_3)
                    .fma(r, r.broadcast(MathConstants.ForFloat.EXP_2))
                    .fma(r, r.broadcast(MathConstants.ForFloat.EXP_1))
                    .fma(r, r.broadcast(MathConstants.ForFloat.EXP_0));
        }

        /** {@link MathConstants.ForFloat#logPolynomial}. */
        static FloatVector logPolynomial(FloatVector z) {
            return z.fma(MathConstants.ForFloat.LOG_2, MathConstants.ForFloat.LOG_1)
                    .fma(z, z.broadcast(MathConstants.ForFloat.LOG_0));
        }

        /** {@link MathConstants.ForFloat#sinPolynomial}. */
        static FloatVector sinPolynomial(FloatVector z) {
            return z.fma(MathConstants.ForFloat.SIN_2, MathConstants.ForFloat.SIN_1)
                    .fma(z, z.broadcast(MathConstants.ForFloat.SIN_0));
        }

        /** {@link MathConstants.ForFloat#cosPolynomial}. */
        static FloatVector cosPolynomial(FloatVector z) {
            return z.fma(MathConstants.ForFloat.COS_2, MathConstants.ForFloat.COS_1)
                    .fma(z, z.broadcast(MathConstants.ForFloat.COS_0));
        }

        /** {@link MathConstants.ForFloat#erfSmallPolynomial}. */
        static FloatVector erfSmallPolynomial(FloatVector z) {
            return z.fma(MathConstants.ForFloat.ERF_SMALL_5, MathConstants.ForFloat.ERF_SMALL_4)
                    .fma(z, z.broadcast(MathConstants.ForFloat.ERF_SMALL_3))
                    .fma(z, z.broadcast(MathConstants.ForFloat.ERF_SMALL_2))
                    .fma(z, z.broadcast(MathConstants.ForFloat.ERF_SMALL_1))
                    .fma(z, z.broadcast(MathConstants.ForFloat.ERF_SMALL_0));
        }

        /** {@link MathConstants.ForFloat#erfcxRational}. */
        static FloatVector erfcxRational(FloatVector a) {
            FloatVector p = a.fma(MathConstants.ForFloat.ERFCX_P4, MathConstants.ForFloat.ERFCX_P3)
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_P2))
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_P1))
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_P0));
            FloatVector q = a.fma(MathConstants.ForFloat.ERFCX_Q5, MathConstants.ForFloat.ERFCX_Q4)
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_Q3))
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_Q2))
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_Q1))
                    .fma(a, a.broadcast(MathConstants.ForFloat.ERFCX_Q0));
            return p.div(q);
        }
    }
}
