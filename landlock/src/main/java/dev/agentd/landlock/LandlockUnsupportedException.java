package dev.agentd.landlock;

import java.io.IOException;
import java.util.List;

/**
 * The running kernel lacks something the caller required: Landlock itself,
 * or a right, scope or flag of a newer {@link Abi}. Thrown under
 * {@link CompatLevel#HARD_REQUIREMENT} (and by {@link Landlock#ensureAvailability()}).
 * A fact about the machine, not a mistake in the request: the same ruleset
 * works on a newer kernel. Compare {@link LandlockRulesetException}.
 *
 * <p>Message shape: {@code kernel lacks Landlock AccessFs.IOCTL_DEV: needs ABI 5
 * (Linux 6.10), kernel has ABI 3}, or {@code ... kernel has none (<why>)} when
 * Landlock is unavailable; for a rule, followed by {@code ; in <rule>}.
 */
public final class LandlockUnsupportedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> features;
    private final Abi requiredAbi;
    private final int kernelAbiVersion;

    LandlockUnsupportedException(List<String> features, Abi requiredAbi, int kernelAbiVersion, String why,
            Throwable cause) {
        this(features, requiredAbi, kernelAbiVersion, why, cause, null);
    }

    LandlockUnsupportedException(List<String> features, Abi requiredAbi, int kernelAbiVersion, String why,
            Throwable cause, String where) {
        super(format(features, requiredAbi, kernelAbiVersion, why) + (where == null ? "" : "; in " + where), cause);
        this.features = List.copyOf(features);
        this.requiredAbi = requiredAbi;
        this.kernelAbiVersion = kernelAbiVersion;
    }

    /** Landlock as a whole is unavailable, for the reason {@code why}. */
    static LandlockUnsupportedException unavailable(String why, Throwable cause) {
        return new LandlockUnsupportedException(List.of(), Abi.V1, 0, why, cause);
    }

    private static String format(List<String> features, Abi required, int kernel, String why) {
        return "kernel lacks Landlock" + (features.isEmpty() ? "" : " " + String.join(", ", features))
                + ": needs " + required + ", kernel has "
                + (kernel <= 0 ? "none" + (why == null ? "" : " (" + why + ")") : "ABI " + kernel);
    }

    /**
     * What is missing, comma-separated, e.g. {@code AccessFs.IOCTL_DEV, AccessNet.BIND_TCP};
     * {@code Landlock} when Landlock as a whole is.
     */
    public String feature() {
        return features.isEmpty() ? "Landlock" : String.join(", ", features);
    }

    /** The missing items one by one ({@code AccessFs.IOCTL_DEV}); empty when Landlock as a whole is missing. */
    public List<String> features() {
        return features;
    }

    /** The lowest ABI that has everything in {@link #features()}. */
    public Abi requiredAbi() {
        return requiredAbi;
    }

    /** The ABI version the kernel reports; 0 when Landlock is unavailable or switched off. */
    public int kernelAbiVersion() {
        return kernelAbiVersion;
    }
}
