package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.landlock.Landlock;
import dev.agentd.linux.Arch;
import dev.agentd.linux.SeccompSyscall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        k.put("criu", criuVersion());
        return k;
    }

    /** {@code criu --version}'s version, or null when no criu is on the PATH. */
    static String criuVersion() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path criu = Path.of(dir, "criu");
            if (Files.isExecutable(criu)) {
                try {
                    Process p = new ProcessBuilder(criu.toString(), "--version").redirectErrorStream(true).start();
                    String out;
                    try (InputStream in = p.getInputStream()) {
                        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    p.waitFor(5, TimeUnit.SECONDS);
                    for (String line : out.split("\n")) {
                        if (line.startsWith("Version:")) {
                            return line.substring(8).trim();
                        }
                    }
                    return out.trim();
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
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
