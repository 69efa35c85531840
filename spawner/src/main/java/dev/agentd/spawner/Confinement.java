package dev.agentd.spawner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A sandboxed process's confinement as the kernel reports it from the
 * outside ({@code /proc/PID/status}, {@code /proc/PID/ns}), compared with
 * what its spec promises. A restore is checked with it before the restored
 * agent is handed over: CRIU restores credentials, no_new_privs and seccomp
 * from images, and images are files.
 */
final class Confinement {
    /** The namespaces every sandbox has of its own; the network one only without the host network. */
    static final List<String> NAMESPACES = List.of("mnt", "pid", "ipc", "uts", "cgroup");

    private Confinement() {}

    /** The host pid of the process that is PID {@code innerPid} in the pid namespace of {@code initPid}. */
    static OptionalInt findInNamespace(int initPid, int innerPid) throws IOException {
        String ns = Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/pid")).toString();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                try {
                    if (!Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(ns)) {
                        continue;
                    }
                    String[] nspid = status(p).getOrDefault("NSpid", "").split("\\s+");
                    if (nspid.length >= 2 && nspid[nspid.length - 1].equals(String.valueOf(innerPid))) {
                        return OptionalInt.of(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        }
        return OptionalInt.empty();
    }

    /** This JVM's children in the pid namespace of {@code initPid}, the init excepted. */
    static List<Integer> childrenInNamespace(int initPid) throws IOException {
        String ns = Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/pid")).toString();
        String self = String.valueOf(ProcessHandle.current().pid());
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                try {
                    int pid = Integer.parseInt(p.getFileName().toString());
                    if (pid != initPid && self.equals(status(p).get("PPid"))
                            && Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(ns)) {
                        out.add(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        return out;
    }

    /**
     * What differs between process {@code pid} and the confinement {@code spec}
     * promises; empty when nothing does.
     *
     * @param initPid the sandbox's init, whose namespaces the process must share
     */
    static List<String> problems(int pid, int initPid, SandboxSpec spec) throws IOException {
        Map<String, String> st = status(Path.of("/proc/" + pid));
        List<String> problems = new ArrayList<>();
        String uid = String.valueOf(spec.uid());
        String gid = String.valueOf(spec.gid());
        expectAll(problems, st, "Uid", uid);
        expectAll(problems, st, "Gid", gid);
        if (!st.getOrDefault("Groups", "").isBlank()) {
            problems.add("Groups: expected none, found " + st.get("Groups"));
        }
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            String v = st.getOrDefault(set, "missing");
            if (!v.matches("0+")) {
                problems.add(set + ": expected no capabilities, found " + v);
            }
        }
        if (!"1".equals(st.get("NoNewPrivs"))) {
            problems.add("NoNewPrivs: expected 1, found " + st.get("NoNewPrivs"));
        }
        if (spec.seccompFilter().isPresent()) {
            if (!"2".equals(st.get("Seccomp"))) {
                problems.add("Seccomp: expected 2 (filter), found " + st.get("Seccomp"));
            }
            String filters = st.getOrDefault("Seccomp_filters", "0");
            if (filters.equals("0")) {
                problems.add("Seccomp_filters: expected at least 1, found " + filters);
            }
        }
        List<String> ns = new ArrayList<>(NAMESPACES);
        if (spec.network() == SandboxSpec.Network.NONE) {
            ns.add("net");
        }
        for (String n : ns) {
            String mine = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + n)).toString();
            String init = Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/" + n)).toString();
            if (!mine.equals(init)) {
                problems.add("namespace " + n + ": expected the sandbox's " + init + ", found " + mine);
            }
        }
        if (spec.cgroup().isPresent()) {
            try {
                if (!spec.cgroup().get().pids().contains((long) pid)) {
                    problems.add("cgroup: not in the agent's cgroup " + spec.cgroup().get().name());
                }
            } catch (IOException e) {
                problems.add("cgroup: cannot read the agent's cgroup: " + e.getMessage());
            }
        }
        return problems;
    }

    private static void expectAll(List<String> problems, Map<String, String> st, String key, String want) {
        String v = st.getOrDefault(key, "");
        for (String id : v.split("\\s+")) {
            if (!id.equals(want)) {
                problems.add(key + ": expected " + want + " (real, effective, saved, fs), found " + v);
                return;
            }
        }
    }

    static Map<String, String> status(Path procDir) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(procDir.resolve("status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return m;
    }
}
