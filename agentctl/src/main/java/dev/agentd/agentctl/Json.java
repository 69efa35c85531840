package dev.agentd.agentctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON output for {@code --json}: pretty for results, one line per streamed item. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** {@code "key": value} and {@code []}, as jq prints, rather than Jackson's {@code "key" : value} and {@code [ ]}. */
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("")
                    .withObjectEmptySeparator("")));

    private Json() {}

    static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JsonNode tree always serializes", e);
        }
    }

    static String compact(JsonNode node) {
        return node.toString();
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
