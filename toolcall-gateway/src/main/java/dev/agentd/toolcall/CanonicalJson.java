package dev.agentd.toolcall;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The canonical JSON text of a value: object members sorted by name (UTF-16 code
 * units, as RFC 8785), no whitespace, strings escaped as Jackson escapes them, numbers
 * as Jackson writes the parsed value. Two argument objects that differ only in member
 * order or spacing hash the same, which is what an approval bound to "these
 * arguments" must mean. It is the gateway's own canonical form, not a claim of full
 * RFC 8785 number formatting; agentd and the broker only ever compare hashes the
 * gateway computed.
 */
public final class CanonicalJson {
    private CanonicalJson() {}

    private static final JsonFactory FACTORY = new JsonFactory();

    public static String toCanonicalString(JsonNode value) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** Lowercase hex SHA-256 of the UTF-8 of {@link #toCanonicalString}. */
    public static String sha256Hex(JsonNode value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(toCanonicalString(value).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        if (n == null || n.isMissingNode() || n.isNull()) {
            g.writeNull();
        } else if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            g.writeStartObject();
            for (String name : names) {
                g.writeFieldName(name);
                write(g, n.get(name));
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                write(g, it.next());
            }
            g.writeEndArray();
        } else if (n.isTextual()) {
            g.writeString(n.textValue());
        } else if (n.isBoolean()) {
            g.writeBoolean(n.booleanValue());
        } else if (n.isIntegralNumber()) {
            g.writeNumber(n.bigIntegerValue());
        } else if (n.isNumber()) {
            g.writeNumber(n.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            g.writeString(n.asText()); // binary/POJO nodes never come from a parser
        }
    }
}
