package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.toolcall.Tool;
import java.util.Optional;

/** A built-in tool whose name, description and schemas are fixed at construction. */
abstract class SchemaTool implements Tool {
    private final String name;
    private final String description;
    private final JsonNode inputSchema;
    private final Optional<JsonNode> outputSchema;

    SchemaTool(String name, String description, String inputSchema, String outputSchema) {
        this.name = name;
        this.description = description;
        this.inputSchema = Json.parse(inputSchema);
        this.outputSchema = outputSchema == null ? Optional.empty() : Optional.of(Json.parse(outputSchema));
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final JsonNode inputSchema() {
        return inputSchema.deepCopy();
    }

    @Override
    public final Optional<JsonNode> outputSchema() {
        return outputSchema.map(JsonNode::deepCopy);
    }

    @Override
    public String toString() {
        return "tool " + name;
    }
}
