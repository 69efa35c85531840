package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Micro benchmark: N sequential {@code tools/call} round trips of a no-op echo tool
 * through a gateway, against N round trips of the same line through a raw Unix-socket
 * line echo server in the same JVM. The difference is the gateway's own cost (parse,
 * grant check, schema validation, canonical hash, call thread hand-off, audit hook,
 * serialization), since both sides share the socket and the client loop.
 *
 * <p>Usage: {@code EchoBench [N]} (default 20000, plus N/10 warm-up round trips each).
 */
public final class EchoBench {
    private EchoBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("echobench");
        try {
            byte[] request = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"text\":\"hello\"}}}\n").getBytes(StandardCharsets.UTF_8);

            Path raw = dir.resolve("raw.sock");
            Thread rawServer = startRawEcho(raw);
            long[] rawTimes = measure(raw, request, n);
            rawServer.interrupt();

            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            GatewayConfig cfg = GatewayConfig.builder("bench", dir.resolve("gw.sock"), uid)
                    .limits(GatewayLimits.builder().agentRate(null).build())
                    .build();
            long[] gwTimes;
            try (Gateway gw = Gateway.open(cfg, ToolRegistry.of(new Echo()), new AllowAll(), CallListener.NONE)) {
                gwTimes = measure(gw.socketPath(), request, n);
            }

            Stats r = Stats.of(rawTimes);
            Stats g = Stats.of(gwTimes);
            System.out.printf("round trips: %d (after %d warm-up)%n", n, n / 10);
            System.out.printf("raw echo : median %7.1f us  p99 %7.1f us  %9.0f ops/s%n", r.median, r.p99, r.opsPerSec);
            System.out.printf("gateway  : median %7.1f us  p99 %7.1f us  %9.0f ops/s%n", g.median, g.p99, g.opsPerSec);
            System.out.printf("ratio    : median x%.1f  p99 x%.1f  throughput x%.2f%n",
                    g.median / r.median, g.p99 / r.p99, g.opsPerSec / r.opsPerSec);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private record Stats(double median, double p99, double opsPerSec) {
        static Stats of(long[] nanos) {
            long total = Arrays.stream(nanos).sum();
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Stats(s[s.length / 2] / 1000.0, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1000.0,
                    s.length / (total / 1e9));
        }
    }

    /** Per-round-trip nanoseconds of the measured (post-warm-up) requests. */
    private static long[] measure(Path socket, byte[] request, int n) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            int warm = n / 10;
            long[] times = new long[n];
            for (int i = 0; i < warm + n; i++) {
                long t0 = System.nanoTime();
                ch.write(ByteBuffer.wrap(request));
                readLine(ch, in);
                if (i >= warm) {
                    times[i - warm] = System.nanoTime() - t0;
                }
            }
            return times;
        }
    }

    private static void readLine(SocketChannel ch, ByteBuffer buf) throws IOException {
        buf.clear();
        while (true) {
            int before = buf.position();
            if (ch.read(buf) < 0) {
                throw new IOException("server closed the connection");
            }
            for (int i = before; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    return; // one request in flight at a time, so the line ends the read
                }
            }
        }
    }

    private static Thread startRawEcho(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                while (c.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // client done
            }
        }, "raw-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A trivial echo: the bench's own, so it measures the gateway and nothing else. */
    private static final class Echo implements Tool {
        private static final JsonNode SCHEMA = parse("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},"
                + "\"required\":[\"text\"]}");

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public String description() {
            return "Returns its text.";
        }

        @Override
        public JsonNode inputSchema() {
            return SCHEMA;
        }

        @Override
        public ToolResult call(ToolCall call) {
            return ToolResult.text(call.arguments().path("text").asText());
        }
    }

    private static final class AllowAll implements Authorizer {
        private static Decision allow(GrantKind kind, String value) {
            return Decision.allowed(new Grant(1, "bench", kind, value, OptionalLong.empty(), Optional.empty(),
                    Optional.empty(), OptionalLong.empty(), false));
        }

        @Override
        public Decision authorize(GrantKind kind, String value) {
            return allow(kind, value);
        }

        @Override
        public Decision check(GrantKind kind, String value) {
            return allow(kind, value);
        }

        @Override
        public List<Grant> grants(GrantKind kind) {
            return List.of();
        }

        @Override
        public Optional<byte[]> revealSecret(String name) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
