package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    @Test
    void toCanonicalString_sortsMembersRecursively_andDropsWhitespace() {
        assertEquals("{\"a\":[{\"x\":1,\"y\":2}],\"b\":null,\"c\":\"\\n\"}",
                CanonicalJson.toCanonicalString(TestTools.json("{ \"c\":\"\\n\", \"b\":null, \"a\":[{\"y\":2,\"x\":1}] }")));
    }

    @Test
    void toCanonicalString_numbersByValue() {
        assertEquals("[1,1,1.5,0,12345678901234567890]", // -0 is 0, as in RFC 8785
                CanonicalJson.toCanonicalString(TestTools.json("[1, 1.0, 1.50, -0, 12345678901234567890]")));
    }

    @Test
    void sha256Hex_isStableAcrossFormatting_andSensitiveToValues() {
        String a = CanonicalJson.sha256Hex(TestTools.json("{\"path\":\"/data/x\",\"mode\":\"r\"}"));
        String b = CanonicalJson.sha256Hex(TestTools.json("{\"mode\":\"r\",  \"path\":\"/data/x\"}"));
        assertEquals(a, b);
        assertNotEquals(a, CanonicalJson.sha256Hex(TestTools.json("{\"mode\":\"w\",\"path\":\"/data/x\"}")));
        // Known value: sha256("{}")
        assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", CanonicalJson.sha256Hex(TestTools.json("{}")));
    }
}
