package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.UriSchemaLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** JSON Schema 2020-12 compilation and validation (networknt), configured once. */
final class Schemas {
    private Schemas() {}

    /** At most this many validation messages are reported: enough to fix the call, bounded in size. */
    static final int MAX_MESSAGES = 20;

    // The URI loader would fetch "$ref": "https://..." over the network from inside
    // agentd. Tool schemas must be self-contained; the 2020-12 meta-schema itself is
    // built into the library (and its classpath loader stays).
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaLoaders(l -> l.values(list -> list.removeIf(x -> x instanceof UriSchemaLoader))));

    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .locale(Locale.ROOT) // messages are part of the protocol's answers: keep them the same on every host
            .build();

    /**
     * Compiles {@code schema} and touches every {@code $ref} now, so a broken schema fails at
     * registration rather than on an agent's first call.
     *
     * @throws IllegalArgumentException naming {@code what}
     */
    static JsonSchema compile(JsonNode schema, String what) {
        try {
            JsonSchema s = FACTORY.getSchema(schema, CONFIG);
            s.initializeValidators();
            return s;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " is not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    /** The validation messages for {@code instance}; empty when valid. */
    static List<String> validate(JsonSchema schema, JsonNode instance) {
        Set<ValidationMessage> msgs = schema.validate(instance);
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : msgs) {
            if (out.size() == MAX_MESSAGES) {
                out.add("... " + (msgs.size() - MAX_MESSAGES) + " more");
                break;
            }
            out.add(m.getMessage());
        }
        return out;
    }
}
