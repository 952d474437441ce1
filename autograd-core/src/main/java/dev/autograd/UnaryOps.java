package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.UnaryOp;

/**
 * Element-wise functions of one tensor, as a table (the way PyTorch's derivatives.yaml lists them): each
 * entry names its kernel, what its backward needs saved, its backward rule written with tensor ops (so it
 * is differentiable again) and its local derivative as a formula for traces and pictures.
 */
enum UnaryOps {

    NEG("neg", UnaryOp.NEG, Saves.NOTHING) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.neg();
        }

        String formula(double p) {
            return "d(-x)/dx = -1";
        }
    },
    POW("pow", UnaryOp.POW, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            // x^0 is constant; written out so that 0 * x^-1 does not turn into NaN at x = 0.
            return p == 0 ? Tensor.zerosLike(g) : g.mul(x.pow(p - 1).mul(p));
        }

        String formula(double p) {
            return "d x^" + Formulas.number(p) + "/dx = " + Formulas.number(p) + " * x^" + Formulas.number(p - 1);
        }
    },
    EXP("exp", UnaryOp.EXP, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(y);
        }

        String formula(double p) {
            return "d exp(x)/dx = exp(x)";
        }
    },
    LOG("log", UnaryOp.LOG, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.div(x);
        }

        String formula(double p) {
            return "d log(x)/dx = 1 / x";
        }
    },
    SQRT("sqrt", UnaryOp.SQRT, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.div(y.mul(2));
        }

        String formula(double p) {
            return "d sqrt(x)/dx = 1 / (2 sqrt(x))";
        }
    },
    ABS("abs", UnaryOp.ABS, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(x.sign());
        }

        String formula(double p) {
            return "d |x|/dx = sign(x) (0 at x = 0)";
        }
    },
    TANH("tanh", UnaryOp.TANH, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(y.mul(y).neg().add(1));
        }

        String formula(double p) {
            return "d tanh(x)/dx = 1 - tanh(x)^2";
        }
    },
    SIGMOID("sigmoid", UnaryOp.SIGMOID, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(y.mul(y.neg().add(1)));
        }

        String formula(double p) {
            return "d sigmoid(x)/dx = sigmoid(x) * (1 - sigmoid(x))";
        }
    },
    RELU("relu", UnaryOp.RELU, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(y.gt(0));
        }

        String formula(double p) {
            return "d relu(x)/dx = 1 if x > 0 else 0";
        }
    },
    LEAKY_RELU("leakyRelu", UnaryOp.LEAKY_RELU, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            // mask + slope * (1 - mask): 1 on the positive side, the slope elsewhere (also at 0, as PyTorch).
            return g.mul(x.gt(0).mul(1 - p).add(p));
        }

        String formula(double p) {
            return "d leakyRelu(x)/dx = 1 if x > 0 else " + Formulas.number(p);
        }
    },
    SIN("sin", UnaryOp.SIN, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(x.cos());
        }

        String formula(double p) {
            return "d sin(x)/dx = cos(x)";
        }
    },
    COS("cos", UnaryOp.COS, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(x.sin()).neg();
        }

        String formula(double p) {
            return "d cos(x)/dx = -sin(x)";
        }
    },
    LOG1P("log1p", UnaryOp.LOG1P, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.div(x.add(1));
        }

        String formula(double p) {
            return "d log(1 + x)/dx = 1 / (1 + x)";
        }
    },
    EXPM1("expm1", UnaryOp.EXPM1, Saves.OUTPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(y.add(1));
        }

        String formula(double p) {
            return "d (exp(x) - 1)/dx = exp(x)";
        }
    },
    ERF("erf", UnaryOp.ERF, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI)));
        }

        String formula(double p) {
            return "d erf(x)/dx = 2 / sqrt(pi) * exp(-x^2)";
        }
    },
    GELU("gelu", UnaryOp.GELU, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            // Phi(x) + x phi(x), with Phi(x) = (1 + erf(x / sqrt 2)) / 2 and phi(x) = e^(-x^2/2) / sqrt(2 pi)
            Tensor cdf = x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
            Tensor pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
            return g.mul(cdf.add(x.mul(pdf)));
        }

        String formula(double p) {
            return "d gelu(x)/dx = Phi(x) + x phi(x)";
        }
    },
    GELU_TANH("gelu", UnaryOp.GELU_TANH, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            // with u = c (x + a x^3) and t = tanh u: (1 + t) / 2 + x (1 - t^2) c (1 + 3 a x^2) / 2
            Tensor x2 = x.mul(x);
            Tensor t = x.add(x2.mul(x).mul(GELU_A)).mul(GELU_C).tanh();
            Tensor du = x2.mul(3 * GELU_A).add(1).mul(GELU_C);
            return g.mul(t.add(1).mul(0.5).add(x.mul(t.mul(t).neg().add(1)).mul(du).mul(0.5)));
        }

        String formula(double p) {
            return "d gelu_tanh(x)/dx = (1 + t)/2 + x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)/2, t = tanh(sqrt(2/pi) (x + 0.044715 x^3))";
        }
    },
    SOFTPLUS("softplus", UnaryOp.SOFTPLUS, Saves.INPUT) {
        Tensor backward(Tensor g, Tensor x, Tensor y, double p) {
            return g.mul(x.sigmoid());
        }

        String formula(double p) {
            return "d softplus(x)/dx = sigmoid(x)";
        }
    };

    /** The cubic coefficient and the scale of GELU's tanh approximation. */
    static final double GELU_A = 0.044715;
    static final double GELU_C = Math.sqrt(2 / Math.PI);

    /** What a function's backward reads: its input, its output, or neither. */
    enum Saves { NOTHING, INPUT, OUTPUT }

    private final String opName;
    final UnaryOp kernel;
    final Saves saves;

    UnaryOps(String opName, UnaryOp kernel, Saves saves) {
        this.opName = opName;
        this.kernel = kernel;
        this.saves = saves;
    }

    /** dL/dx given g = dL/dy, the input x and the output y (each null unless this entry saves it). */
    abstract Tensor backward(Tensor g, Tensor x, Tensor y, double parameter);

    /** The local derivative rule, for traces and graph pictures. */
    abstract String formula(double parameter);

    /** Runs the function on {@code x} and records it when x requires grad. */
    Tensor apply(Tensor x, double parameter) {
        if (autocastsToFloat32()) {
            x = Autocast.toFloat32(x);
        }
        Tensor out = ElementwiseOps.compute(kernel, x, parameter);
        if (!Tensor.recording(x)) {
            return out;
        }
        return out.recordedBy(new Node(this, x, out, parameter));
    }

    /** Whether this function is on PyTorch's autocast float32 list: it needs float32's range or precision. */
    private boolean autocastsToFloat32() {
        return switch (this) {
            case POW, EXP, LOG, LOG1P, EXPM1, SOFTPLUS -> true;
            default -> false;
        };
    }

    /**
     * GELU, {@code x Phi(x)}: exact with erf, or the tanh approximation
     * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}; a primitive with one kernel each way.
     */
    static Tensor gelu(Tensor x, boolean tanhApproximation) {
        return (tanhApproximation ? GELU_TANH : GELU).apply(x, 0);
    }

    /** The recorded node of any table entry. */
    static final class Node extends dev.autograd.Node {
        private final UnaryOps function;
        private final double parameter;

        Node(UnaryOps function, Tensor x, Tensor out, double parameter) {
            super(function.opName, x);
            this.function = function;
            this.parameter = parameter;
            switch (function.saves) {
                case INPUT -> save(x);
                case OUTPUT -> save(out);
                default -> { }
            }
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor x = function.saves == Saves.INPUT ? saved(0) : null;
            Tensor y = function.saves == Saves.OUTPUT ? saved(0) : null;
            return grads(function.backward(g, x, y, parameter));
        }

        /** One kernel: {@code g * f'(x or y)}, reading a broadcast {@code g} in place. */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            if (function.kernel == UnaryOp.NEG) {
                return grads(Engine.owned(ElementwiseOps.compute(UnaryOp.NEG, g, 0)));
            }
            Tensor s = saved(0);
            Object out = Kernels.unaryBackward(function.kernel, g.storage.array, g.shapeRef(), s.storage.array,
                    s.shapeRef(), parameter);
            return grads(Engine.owned(Tensor.wrap(out, s.shapeRef())));
        }

        @Override
        boolean acceptsBroadcastGrad() {
            return true;
        }

        @Override
        public String formula() {
            return function.formula(parameter);
        }
    }
}
