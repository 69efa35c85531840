package dev.agentd.linux.testing;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Kernel features a real-kernel test needs. A test calls
 * {@link #feature(String, boolean, String)} before it touches the feature: when
 * the feature is missing the test is skipped — unless the environment variable
 * {@code AGENTD_REQUIRE} names it (CI names what our machines have), in which
 * case the test fails. A missing feature on a CI machine is a failure, never a
 * silent skip.
 *
 * <p>{@code AGENTD_REQUIRE} is a comma-separated list, e.g.
 * {@code root,landlock,seccomp,cgroup-v1}; {@code all} requires everything.
 */
public final class Require {
    private Require() {}

    /** The names in {@code AGENTD_REQUIRE}. */
    public static Set<String> required() {
        String v = System.getenv("AGENTD_REQUIRE");
        Set<String> s = new TreeSet<>();
        if (v != null) {
            Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
        }
        return s;
    }

    /** True when CI declared {@code feature} present. */
    public static boolean isRequired(String feature) {
        Set<String> r = required();
        return r.contains(feature) || r.contains("all");
    }

    /** Skip (or fail, when required) unless {@code available}. */
    public static void feature(String feature, boolean available, String cause) {
        if (available) {
            return;
        }
        String msg = "kernel feature '" + feature + "' unavailable: " + cause;
        if (isRequired(feature)) {
            Assertions.fail(msg + " — AGENTD_REQUIRE says this machine must have it");
        }
        Assumptions.abort(msg);
    }

    /** Skip (or fail) unless running as root. */
    public static void root() {
        feature("root", "root".equals(System.getProperty("user.name")), "tests run as " + System.getProperty("user.name"));
    }
}
