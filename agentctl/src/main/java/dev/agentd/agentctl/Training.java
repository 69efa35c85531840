package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The run agentctl's launcher records its class-data archive from (AppCDS:
 * the class list of this run, {@code -XX:DumpLoadedClassList}, then
 * {@code -Xshare:dump}): the classes every command needs, loaded without a
 * running agentd. Help for every command (picocli's model and
 * help rendering, all command classes), an answer parsed and printed the
 * ways commands print them (Jackson), a connection attempt to a socket
 * that is not there (the socket and error classes), and {@code list} and
 * {@code --json list} answered by a stand-in for agentd on a socket in a
 * temporary directory (the classes of a connection that works: channel
 * streams, charset decoders, the request and answer types). The JVM archives
 * what was loaded when this exits; later runs map it instead of loading and
 * verifying those classes again.
 *
 * <p>Not a command: the launcher runs it as {@code java -cp agentctl.jar
 * dev.agentd.agentctl.Training}. It prints nothing and always exits 0.
 */
final class Training {
    private static final String AGENTS = """
            {"jsonrpc": "2.0", "id": 1, "result": {"agents": [{"id": "a1b2c3d4", "name": "researcher",
             "state": "running", "pid": 12345, "uid": 61001, "created_at": "2026-11-22T00:00:00Z",
             "started_at": "2026-11-22T00:00:00.120Z", "exited_at": null, "exit_code": null,
             "exit_signal": null, "restarts": 0, "restart_policy": "never", "requested_by": 0,
             "dropped": [], "toolcalls": 3, "resources": {"memory_current": 123456, "memory_peak": 234567,
             "cpu_usage_usec": 1200, "pids_current": 2, "oom_kills": 0}}]}}""";

    private Training() {}

    public static void main(String[] args) throws Exception {
        PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
        CommandLine all = Main.commandLine(Clock.systemUTC(), Map.of(), Stdin.system(), null);
        all.setOut(sink);
        all.setErr(sink);
        usage(all, sink);

        JsonNode answer = Json.parse(AGENTS);
        AgentList list = new AgentList(answer.path("result"));
        sink.print(Human.table(list.agents(), Instant.now()));
        sink.print(Json.pretty(answer));
        sink.print(Json.compact(answer));
        sink.print(Json.compactValue(Map.of("id", "a1b2c3d4", "all", true)));

        String[] list2 = {"--socket", "/nonexistent/agentctl-training.sock", "--json", "list"};
        CommandLine one = Main.commandLine(Clock.systemUTC(), Map.of(), Stdin.system(), list2);
        one.setOut(sink);
        one.setErr(sink);
        one.execute(list2);

        Path dir = Files.createTempDirectory("agentctl-training");
        Path socket = dir.resolve("agentd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread agentd = new Thread(() -> answerLists(server, 2), "training-agentd");
            agentd.setDaemon(true);
            agentd.start();
            for (String[] args3 : List.of(new String[] {"--socket", socket.toString(), "list"},
                    new String[] {"--socket", socket.toString(), "--json", "list", "--all"})) {
                CommandLine cl = Main.commandLine(Clock.systemUTC(), Map.of(), Stdin.system(), args3);
                cl.setOut(sink);
                cl.setErr(sink);
                cl.execute(args3);
            }
            agentd.join(5000);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        sink.flush();
    }

    /** The stand-in agentd: answers the first request of each of {@code connections} connections with AGENTS. */
    private static void answerLists(ServerSocketChannel server, int connections) {
        try {
            for (int i = 0; i < connections; i++) {
                try (SocketChannel c = server.accept()) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                    if (in.readLine() == null) {
                        continue;
                    }
                    OutputStream out = Channels.newOutputStream(c);
                    out.write((AGENTS.replace("\n", "") + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // Training only: a failure here just leaves some classes out of the archive.
        }
    }

    private static void usage(CommandLine cl, PrintWriter sink) {
        sink.print(cl.getUsageMessage());
        cl.getSubcommands().values().stream().distinct().forEach(sub -> usage(sub, sink));
    }
}
