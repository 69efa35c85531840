package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A typed view of a method's result that keeps the JSON it came from, so
 * {@code --json} can print agentd's answer unchanged.
 */
public interface JsonResult {
    /** The {@code result} member exactly as agentd sent it. */
    JsonNode json();
}
