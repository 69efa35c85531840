package dev.agentd.agentctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl tool call ID NAME [ARG=VALUE ...]}: run a tool with an agent's grants. */
@Command(name = "call",
        mixinStandardHelpOptions = true,
        header = "Call a tool on an agent's behalf and print what it returns.",
        description = {
            "Runs tool NAME as agent ID would: with the agent's grants (the call counts against their "
                    + "limits and rates), audited with you as the actor.",
            "",
            "The arguments object is built from ARG=VALUE pairs. A VALUE that is valid JSON is taken as "
                    + "JSON (42, 1.5, true, null, [1,2], {\"k\":\"v\"}, \"quoted\"); anything else is a "
                    + "string, so text=hello needs no quotes, while n=42 sends a number and n='\"42\"' a "
                    + "string. --args gives the whole object as JSON; pairs given too are added to it, "
                    + "replacing keys of the same name. A later pair replaces an earlier one.",
            "",
            "Prints the text content blocks the tool returned, each ending in a line break. With --json, "
                    + "prints the tool's structuredContent, pretty, or its whole result when it returned "
                    + "none.",
            "",
            "When the tool reports a failure (isError), its text goes to stderr and the exit status is 1; "
                    + "with --json, stderr gets {\"error\": {\"kind\": \"tool\", ..., \"result\": ...}}."},
        footer = {
            "%nEXAMPLES",
            "  agentctl tool call researcher echo text=hello",
            "  agentctl tool call researcher fetch url=https://example.org max_bytes=65536",
            "  agentctl tool call researcher search --args '{\"query\": \"agentd\", \"limit\": 5}' --json"})
final class ToolCallCommand implements Callable<Integer> {
    /** Strict: "true false" or "12abc" are strings, not a JSON value followed by junk. */
    private static final ObjectReader JSON_VALUE =
            Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Parameters(index = "1", paramLabel = "NAME", description = "The tool's name (see `agentctl tool list ID`).")
    private String name;

    @Parameters(index = "2..*", arity = "0..*", paramLabel = "ARG=VALUE",
            description = "One argument; VALUE is JSON when it parses as JSON, else a string.")
    private List<String> pairs = new ArrayList<>();

    @Option(names = "--args", paramLabel = "JSON", description = "The whole arguments object, as JSON.")
    private String args;

    @Override
    public Integer call() throws Exception {
        ObjectNode arguments = arguments(args, pairs);
        try (AdminClient agentd = common.connect()) {
            ToolResult result = agentd.callTool(id, name, arguments);
            if (result.isError()) {
                throw new ToolFailedException(name, String.join("\n", result.texts()).strip(), result.json());
            }
            if (common.json()) {
                JsonNode structured = result.structuredContent();
                common.printJson(structured == null ? result.json() : structured);
                return ExitCodes.OK;
            }
            StringBuilder human = new StringBuilder();
            for (String text : result.texts()) {
                human.append(text);
                if (!text.endsWith("\n")) {
                    human.append('\n');
                }
            }
            common.print(result, human.toString());
            List<String> other = result.otherTypes();
            if (!other.isEmpty()) {
                common.err().println("agentctl: " + name + " also returned " + other.size()
                        + " content block(s) that are not text (" + String.join(", ", other)
                        + "); not shown");
                common.err().flush();
            }
        }
        return ExitCodes.OK;
    }

    /** The arguments object: {@code --args}, then each pair on top. */
    static ObjectNode arguments(String argsJson, List<String> pairs) {
        ObjectNode out = Json.object();
        if (argsJson != null) {
            JsonNode given;
            try {
                given = JSON_VALUE.readTree(argsJson);
            } catch (JsonProcessingException e) {
                throw new CliException(ExitCodes.USAGE, "--args is not valid JSON: "
                        + e.getOriginalMessage());
            }
            if (given == null || !given.isObject()) {
                throw new CliException(ExitCodes.USAGE, "--args must be a JSON object ({\"key\": value, ...})");
            }
            out.setAll((ObjectNode) given);
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.USAGE, "expected ARG=VALUE, not \"" + pair + "\""
                        + (eq == 0 ? " (the argument name is empty)" : ""));
            }
            out.set(pair.substring(0, eq), value(pair.substring(eq + 1)));
        }
        return out;
    }

    /** {@code text} as JSON when it is a JSON value, else as a string. */
    static JsonNode value(String text) {
        try {
            JsonNode v = JSON_VALUE.readTree(text);
            return v == null || v.isMissingNode() ? TextNode.valueOf(text) : v;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }
}
