package dev.agentd.agentctl;

import java.util.function.Consumer;

/** Prints agentd's {@code checkpoint.progress} notifications on stderr, one line each. */
final class CheckpointProgress {
    private CheckpointProgress() {}

    static Consumer<AdminClient.Notification> to(CommonOptions common) {
        return n -> {
            if ("checkpoint.progress".equals(n.method())) {
                common.err().println("agentctl: " + Human.printable(n.params().path("phase").asText()) + ": "
                        + Human.printable(n.params().path("detail").asText()));
                common.err().flush();
            }
        };
    }
}
