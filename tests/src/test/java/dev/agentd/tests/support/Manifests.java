package dev.agentd.tests.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** Manifest text for tests. */
public final class Manifests {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Manifests() {}

    /** A unique agent name: {@code base-<n>-<pid>}, valid per the manifest rules. */
    public static String name(String base) {
        return base + "-" + SEQ.incrementAndGet() + "-" + ProcessHandle.current().pid() % 100000;
    }

    /**
     * A manifest: {@code name}, {@code extra} (top-level YAML keys, as text,
     * may be empty) and the command, each argument rendered safely (multi-line
     * arguments as literal blocks, others as JSON strings).
     */
    public static String of(String name, String extra, List<String> command) {
        StringBuilder sb = new StringBuilder();
        sb.append("name: ").append(name).append('\n');
        if (extra != null && !extra.isBlank()) {
            sb.append(extra.stripTrailing()).append('\n');
        }
        sb.append("command:\n");
        for (String arg : command) {
            if (arg.contains("\n")) {
                sb.append("  - |\n");
                for (String l : arg.stripTrailing().split("\n", -1)) {
                    sb.append(l.isEmpty() ? "" : "    ").append(l).append('\n');
                }
            } else {
                sb.append("  - ").append(quote(arg)).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code /bin/sh -c script}. */
    public static String sh(String name, String extra, String script) {
        return of(name, extra, List.of("/bin/sh", "-c", script.contains("\n") ? script : script + "\n"));
    }

    /** {@code python3 -c script args...}. */
    public static String python(String name, String extra, String script, List<String> args) {
        List<String> c = new ArrayList<>(List.of("/usr/bin/python3", "-c", script.contains("\n") ? script : script + "\n"));
        c.addAll(args);
        return of(name, extra, c);
    }

    public static String quote(String s) {
        try {
            return Rpc.JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repository's {@code examples/probe.yaml} (Maven runs tests in the module directory). */
    public static String probeYaml() throws IOException {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../examples/probe.yaml").normalize();
        return Files.readString(p);
    }

    /**
     * {@code yaml} with a new name, extra environment variables and, when
     * {@code scriptSuffix} is non-null, Python code appended to the script
     * (the last element of {@code command}).
     */
    @SuppressWarnings("unchecked")
    public static String variant(String yaml, String name, Map<String, String> env, String scriptSuffix) {
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(yaml));
        m.put("name", name);
        Map<String, Object> e = new LinkedHashMap<>();
        if (m.get("env") instanceof Map<?, ?> old) {
            old.forEach((k, v) -> e.put(String.valueOf(k), v));
        }
        e.putAll(env);
        if (!e.isEmpty()) {
            m.put("env", e);
        }
        if (scriptSuffix != null) {
            List<Object> cmd = new ArrayList<>((List<Object>) m.get("command"));
            String last = String.valueOf(cmd.get(cmd.size() - 1));
            cmd.set(cmd.size() - 1, last.stripTrailing() + "\n" + scriptSuffix.stripTrailing() + "\n");
            m.put("command", cmd);
        }
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(m);
    }
}
