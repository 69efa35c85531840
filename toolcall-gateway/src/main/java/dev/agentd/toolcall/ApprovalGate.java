package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * Human approval of individual calls. agentd implements it with the broker's
 * approval requests; the gateway calls {@link #required} for every call that passed
 * validation and, when true, {@link #awaitApproval} before consuming the grant.
 */
public interface ApprovalGate {
    /** True when this call must be approved by a person first. */
    boolean required(String tool, JsonNode arguments);

    /**
     * Blocks until a person approves or denies, or {@code timeout} passes. The approval
     * is bound to the tool and the arguments' hash ({@link CanonicalJson#sha256Hex}) so it
     * cannot be reused for other arguments. Called on a call thread, which is interrupted
     * when the client cancels the call.
     *
     * @param preview redacted arguments (≤ 200 chars) to show the person
     * @return true only when approved
     */
    boolean awaitApproval(String tool, String argsSha256, String preview, Duration timeout);

    /** No call needs approval. */
    ApprovalGate NONE = new ApprovalGate() {
        @Override
        public boolean required(String tool, JsonNode arguments) {
            return false;
        }

        @Override
        public boolean awaitApproval(String tool, String argsSha256, String preview, Duration timeout) {
            return true;
        }
    };
}
