package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.linux.Arch;
import dev.agentd.seccomp.BpfProgram;
import dev.agentd.seccomp.Compilation;
import dev.agentd.seccomp.Seccomp;
import dev.agentd.seccomp.SeccompProfile;
import dev.agentd.seccomp.SeccompProfiles;
import dev.agentd.seccomp.Target;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code agentd} command: the daemon, and two inspection commands. */
@Command(name = "agentd", mixinStandardHelpOptions = true, version = "agentd " + Version.VERSION,
        description = {
            "The agentd supervisor: launches every AI agent as its own sandboxed process (namespaces, Landlock,",
            "seccomp-BPF, cgroups) and is the only way it reaches anything outside.",
            "",
            "Without a subcommand, runs the daemon in the foreground. Audit records go to stdout as JSON lines."},
        subcommands = {AgentdMain.KernelCommand.class, AgentdMain.SeccompCommand.class, Bench.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
            "  agentd --root /tmp/agentd        run with embedded defaults under /tmp/agentd (no config file)",
            "  agentd                           run with /etc/agentd/agentd.yaml (or the system defaults)",
            "  agentd kernel                    what this kernel supports",
            "  agentd seccomp --disassemble     the compiled agent-default filter, instruction by instruction",
            "  agentd bench                     spawn latency against bwrap; memory per idle agent",
            "", "Exit status:", "  0  stopped cleanly", "  1  could not start (the message says why)", "  2  usage error"})
public final class AgentdMain implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR",
            description = "Run with embedded defaults under DIR: DIR/state, DIR/run/agentd.sock, DIR/agents. With --config, only its"
                    + " tool settings (llm_providers, llm_token_budget, mcp_servers) are used.")
    Path root;

    @Option(names = "--config", paramLabel = "FILE", description = "Daemon configuration (default: /etc/agentd/agentd.yaml if it exists).")
    Path config;

    @Override
    public Integer call() throws Exception {
        DaemonConfig cfg;
        if (root != null) {
            cfg = DaemonConfig.underRoot(root);
            if (config != null) {
                // Paths stay under the root; tools (LLM providers, MCP servers) come from the file.
                cfg = cfg.withTools(DaemonConfig.load(config).tools());
            }
        } else {
            Path f = config != null ? config : Path.of("/etc/agentd/agentd.yaml");
            cfg = java.nio.file.Files.exists(f) ? DaemonConfig.load(f) : DaemonConfig.system();
        }
        Daemon d;
        try {
            d = Daemon.start(cfg, System.out);
        } catch (Exception e) {
            System.err.println("agentd: cannot start: " + e.getMessage());
            return 1;
        }
        System.err.println("agentd: ready on " + d.socket());
        Notify notify = Notify.systemd(d); // READY=1, STATUS=, watchdog; nothing outside systemd
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            notify.stopping();
            d.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /** {@code agentd kernel}. */
    @Command(name = "kernel", mixinStandardHelpOptions = true,
            description = "Print what this kernel gives agentd: Landlock ABI, seccomp, user notification, cgroup layout and controllers, CRIU.")
    static final class KernelCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ObjectNode k = KernelReport.probe();
            System.out.print(json ? new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(k) + "\n"
                    : KernelReport.human(k));
            return 0;
        }
    }

    /** {@code agentd seccomp}. */
    @Command(name = "seccomp", mixinStandardHelpOptions = true,
            description = "Compile a seccomp profile (the built-in agent-default, or an OCI JSON file) and print its size and,"
                    + " with --disassemble, the BPF program.",
            footer = {"", "Exit status:", "  0  compiled", "  1  the profile is invalid (the message names where)"})
    static final class SeccompCommand implements Callable<Integer> {
        @Option(names = "--profile", paramLabel = "FILE", description = "OCI LinuxSeccomp JSON profile (default: agent-default).")
        Path profile;

        @Option(names = "--arch", paramLabel = "ARCH", description = "Target architecture: ${COMPLETION-CANDIDATES} (default: this machine's).")
        Arch arch;

        @Option(names = "--disassemble", description = "Print every instruction.")
        boolean disassemble;

        @Override
        public Integer call() {
            try {
                SeccompProfile p = profile == null ? SeccompProfiles.agentDefault() : SeccompProfile.read(profile);
                Target t = arch == null ? Target.current() : Target.of(arch);
                Compilation c = Seccomp.compile(p, t.withCapabilities(Set.of()));
                BpfProgram prog = c.program();
                PrintStream out = System.out;
                out.println("profile:      " + (profile == null ? "agent-default" : profile));
                out.println("arch:         " + prog.arch());
                out.println("instructions: " + prog.length());
                out.println("report:       " + c.report());
                if (disassemble) {
                    out.print(prog.dump());
                }
                return 0;
            } catch (Exception e) {
                System.err.println("agentd seccomp: " + e.getMessage());
                return 1;
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentdMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
