package dev.agentd.toolcall.tools;

import dev.agentd.toolcall.Tool;
import java.util.List;

/**
 * The tools agentd offers every gateway. Which of them an agent sees and may
 * call is decided by its {@code tool:} grants; what each call may touch by its
 * {@code file_read}, {@code file_write}, {@code net}, {@code llm} and
 * {@code secret} grants. The instances are shared by all agents.
 */
public final class BuiltinTools {
    private BuiltinTools() {}

    /**
     * echo, file_read, file_write, file_list, file_stat, http_fetch and
     * llm_complete (over {@code providers}, charging {@code budget}).
     */
    public static List<Tool> all(LlmProviders providers, TokenBudget budget) {
        return List.of(
                new EchoTool(),
                new FileReadTool(),
                new FileWriteTool(),
                new FileListTool(),
                new FileStatTool(),
                new HttpFetchTool(),
                new LlmCompleteTool(providers, budget));
    }
}
