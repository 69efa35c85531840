package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ArgsPreviewTest {
    @Test
    void of_masksSecretLookingKeysAtAnyDepth_whateverTheirValue() {
        String p = ArgsPreview.of(TestTools.json("{\"url\":\"u\",\"headers\":{\"Authorization\":\"Bearer x\",\"X-Api-Key\":{\"k\":1}},"
                + "\"items\":[{\"access_token\":\"t\"}],\"passwd\":7,\"sessionId\":\"s\",\"client_secret\":\"c\"}"), Function.identity());
        assertEquals("{\"client_secret\":\"***\",\"headers\":{\"Authorization\":\"***\",\"X-Api-Key\":\"***\"},"
                + "\"items\":[{\"access_token\":\"***\"}],\"passwd\":\"***\",\"sessionId\":\"***\",\"url\":\"u\"}", p);
    }

    @Test
    void of_appliesTheRedactorToValuesUnderInnocentKeys() {
        String p = ArgsPreview.of(TestTools.json("{\"q\":\"value s3cr3t here\"}"), s -> s.replace("s3cr3t", "[secret:X]"));
        assertEquals("{\"q\":\"value [secret:X] here\"}", p);
    }

    @Test
    void truncate_capsAt200_withoutSplittingASurrogatePair() {
        String s = "a".repeat(198) + "\uD83D\uDE00" + "zzz";
        String t = ArgsPreview.truncate(s, 200);
        assertTrue(t.length() <= 200);
        assertEquals("a".repeat(198) + "…", t);
        assertEquals("short", ArgsPreview.truncate("short", 200));
        assertEquals(200, ArgsPreview.truncate("b".repeat(500), 200).length());
    }
}
