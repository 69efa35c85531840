package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.checkpoint.Criu;
import dev.agentd.checkpoint.CriuException;
import dev.agentd.landlock.Landlock;
import dev.agentd.linux.Arch;
import dev.agentd.linux.SeccompSyscall;
import java.io.IOException;
import java.util.Optional;

/**
 * What this kernel gives agentd, probed once: Landlock ABI, seccomp filter
 * and user notification, cgroup layout and controllers, CRIU.
 */
final class KernelReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KernelReport() {}

    static ObjectNode probe() {
        ObjectNode k = JSON.createObjectNode();
        k.put("release", System.getProperty("os.version"));
        k.put("arch", Arch.current().name().toLowerCase(java.util.Locale.ROOT));
        k.put("landlock_abi", Landlock.abiVersion());
        if (!Landlock.isAvailable()) {
            k.put("landlock_unavailable", Landlock.unavailabilityCause().getMessage());
        }
        k.put("seccomp", SeccompSyscall.filterAvailable());
        k.put("seccomp_user_notif", SeccompSyscall.userNotificationAvailable());
        try {
            CgroupManager m = Cgroups.detect();
            k.put("cgroup_layout", m.layout().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode c = k.putArray("cgroup_controllers");
            m.controllers().stream().sorted().forEach(c::add);
        } catch (IOException e) {
            k.put("cgroup_layout", "unavailable");
            k.put("cgroup_error", e.getMessage());
        }
        criu(k);
        return k;
    }

    /**
     * CRIU as the checkpoint module finds it: its version (null when none is
     * installed), whether agentd can use it, and if not, what to install.
     */
    static void criu(ObjectNode k) {
        criu(k, null);
    }

    /** As {@link #criu(ObjectNode)}, for the configured binary when {@code configured} is not null. */
    static void criu(ObjectNode k, java.nio.file.Path configured) {
        try {
            Criu criu = Criu.locate(Optional.ofNullable(configured));
            k.put("criu", criu.version().toString());
            k.put("criu_path", criu.path().toString());
            k.putNull("criu_problem");
        } catch (CriuException e) {
            k.put("criu", (String) null);
            k.put("criu_problem", e.getMessage());
        }
    }

    /** The report as lines a person reads. */
    static String human(ObjectNode k) {
        StringBuilder sb = new StringBuilder();
        k.fields().forEachRemaining(e -> sb.append(String.format("%-22s %s%n", e.getKey() + ":",
                e.getValue().isArray() ? String.join(", ", iter(e.getValue())) : e.getValue().asText())));
        return sb.toString();
    }

    private static java.util.List<String> iter(com.fasterxml.jackson.databind.JsonNode a) {
        java.util.List<String> l = new java.util.ArrayList<>();
        a.forEach(x -> l.add(x.asText()));
        return l;
    }
}
