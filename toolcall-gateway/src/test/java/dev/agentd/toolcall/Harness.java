package dev.agentd.toolcall;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** A gateway on a temp-dir socket for the test's own uid, recording audit records and refusals. */
final class Harness implements AutoCloseable {
    final Path dir;
    final FakeAuthorizer auth = new FakeAuthorizer();
    final List<CallRecord> records = new CopyOnWriteArrayList<>();
    final List<String> refusals = new CopyOnWriteArrayList<>();
    final Gateway gateway;

    Harness(Path dir, ToolRegistry tools, UnaryOperator<GatewayConfig.Builder> cfg, String... granted) throws IOException {
        this.dir = dir;
        auth.grant(granted);
        GatewayConfig c = cfg.apply(GatewayConfig.builder("agent-1", dir.resolve("toolcall.sock"), myUid(dir))).build();
        gateway = Gateway.open(c, tools, auth, new CallListener() {
            @Override
            public void onCall(CallRecord record) {
                records.add(record);
            }

            @Override
            public void onConnectionRefused(String agentId, String reason) {
                refusals.add(reason);
            }
        });
    }

    Harness(Path dir, ToolRegistry tools, String... granted) throws IOException {
        this(dir, tools, b -> b, granted);
    }

    static int myUid(Path anyOwnFile) throws IOException {
        return (Integer) Files.getAttribute(anyOwnFile, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    Path socket() {
        return gateway.socketPath();
    }

    RawClient client() throws IOException {
        return new RawClient(socket());
    }

    /** Waits until {@code n} records arrived (they are written before answers, but after cancellations). */
    void awaitRecords(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (records.size() < n && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
