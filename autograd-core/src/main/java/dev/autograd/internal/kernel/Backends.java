package dev.autograd.internal.kernel;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the kernel implementation once, when the kernel layer is first used, and logs the choice once:
 * the SIMD kernels (on the JDK's Vector API) when the module {@code jdk.incubator.vector} is readable,
 * else the portable ones. The SIMD classes are only loaded after that check, so an application started
 * without {@code --add-modules=jdk.incubator.vector} never sees a {@code NoClassDefFoundError}: it gets
 * the portable kernels and a log line saying how to get the faster ones.
 *
 * <p>The system property {@code autograd.kernels} forces the choice: {@code portable}, {@code simd}
 * (falls back, with a warning, when the Vector API is not readable) or {@code auto} (the default).
 */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /** The name of the system property that forces a choice. */
    public static final String PROPERTY = "autograd.kernels";

    private static final String SIMD_DOUBLE = "dev.autograd.internal.kernel.simd.SimdDoubleBackend";
    private static final String SIMD_FLOAT = "dev.autograd.internal.kernel.simd.SimdFloatBackend";
    private static final String ENABLE_FLAG = "--add-modules=jdk.incubator.vector";

    /** The float64 loops in use. */
    public static final DoubleBackend DOUBLE;
    /** The float32 loops in use. */
    public static final FloatBackend FLOAT;

    static {
        Choice choice = choose();
        DOUBLE = choice.doubles;
        FLOAT = choice.floats;
        LOG.info("autograd kernels: {}; {} thread{}{}", choice.description, Parallel.threads(),
                Parallel.threads() == 1 ? "" : "s", choice.hint);
    }

    private Backends() {
    }

    /** @return whether the SIMD kernels are in use */
    public static boolean simd() {
        return !(DOUBLE instanceof PortableDoubleBackend);
    }

    /**
     * The SIMD implementations, loaded on demand (for tests and benchmarks that compare both).
     *
     * @return the float64 and float32 SIMD backends, or empty when the Vector API is not readable here
     */
    public static Optional<Object[]> simdBackends() {
        if (!vectorModuleReadable()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Object[] {instance(SIMD_DOUBLE), instance(SIMD_FLOAT)});
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    private record Choice(DoubleBackend doubles, FloatBackend floats, String description, String hint) {
    }

    private static Choice choose() {
        String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        Choice portable = new Choice(PortableDoubleBackend.INSTANCE, PortableFloatBackend.INSTANCE,
                "portable (plain Java loops)", "");
        switch (forced) {
            case "portable":
                return new Choice(portable.doubles, portable.floats, portable.description + ", forced by -D"
                        + PROPERTY + "=portable", "");
            case "auto":
            case "simd":
                break;
            default:
                LOG.warn("-D{}={} is not one of auto, simd, portable; using auto", PROPERTY, forced);
        }
        if (!vectorModuleReadable()) {
            String hint = "; add " + ENABLE_FLAG + " to the java command line for the SIMD kernels";
            if (forced.equals("simd")) {
                LOG.warn("-D{}=simd, but the module jdk.incubator.vector is not readable; using the portable"
                        + " kernels", PROPERTY);
            }
            return new Choice(portable.doubles, portable.floats, portable.description, hint);
        }
        try {
            DoubleBackend doubles = (DoubleBackend) instance(SIMD_DOUBLE);
            FloatBackend floats = (FloatBackend) instance(SIMD_FLOAT);
            String unsupported = (String) Class.forName(SIMD_DOUBLE).getMethod("unsupportedReason").invoke(null);
            if (unsupported != null) {
                LOG.warn("the SIMD kernels are not used: {}; using the portable kernels", unsupported);
                return new Choice(portable.doubles, portable.floats, portable.description, "");
            }
            return new Choice(doubles, floats, "SIMD (" + floats.name() + ", " + doubles.name() + ")", "");
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            LOG.warn("the SIMD kernels could not be loaded ({}); using the portable kernels", e.toString());
            return new Choice(portable.doubles, portable.floats, portable.description, "");
        }
    }

    private static Object instance(String className) throws ReflectiveOperationException {
        return Class.forName(className).getField("INSTANCE").get(null);
    }

    /**
     * Whether this module can read {@code jdk.incubator.vector}: it must be in the boot layer (the JVM was
     * started with {@code --add-modules=jdk.incubator.vector}) and, for a named module, readable by it.
     */
    private static boolean vectorModuleReadable() {
        Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
        return vector.isPresent() && Backends.class.getModule().canRead(vector.get());
    }
}
