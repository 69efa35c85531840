package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The one ObjectMapper of this package, and the small JSON and text helpers the tools share. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Parses a schema written in the source; a typo there is a programming error, not a runtime condition. */
    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invalid built-in JSON: " + e.getOriginalMessage(), e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JsonNode: " + e.getOriginalMessage(), e);
        }
    }

    /** The argument {@code name} as text, or empty when absent or null. */
    static Optional<String> text(JsonNode args, String name) {
        JsonNode n = args.get(name);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /** The argument {@code name} as a long, or {@code dflt} when absent. */
    static long number(JsonNode args, String name, long dflt) {
        JsonNode n = args.get(name);
        return n == null || n.isNull() ? dflt : n.asLong();
    }

    /** {@code bytes} as a String when they are valid UTF-8 (strictly: no replacement characters), else empty. */
    static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * How many bytes at the end of {@code bytes} form an incomplete UTF-8
     * sequence (0 to 3): a read that stops mid-character should hand back the
     * text before it rather than base64 of the whole chunk.
     */
    static int incompleteUtf8Tail(byte[] bytes) {
        for (int back = 1; back <= Math.min(3, bytes.length); back++) {
            int b = bytes[bytes.length - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // continuation byte: look further back for the lead byte
            }
            int need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return need > back ? back : 0;
        }
        return 0;
    }

    /**
     * Escapes control characters and caps the length, so a value the agent chose
     * cannot forge lines in an error message or a log.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 260));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > 256) {
            b.append("...");
        }
        return b.toString();
    }
}
