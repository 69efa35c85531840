package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriuVersionTest {

    @Test
    void parsesThreePartVersion() {
        assertEquals(new CriuVersion(4, 1, 1), CriuVersion.parse("Version: 4.1.1\n"));
        assertEquals(new CriuVersion(3, 17, 1), CriuVersion.parse("Version: 3.17.1\n"));
    }

    @Test
    void parsesTwoPartVersionWithGitId() {
        assertEquals(new CriuVersion(4, 0, 0), CriuVersion.parse("Version: 4.0\nGitID: v4.0-12-gabc\n"));
    }

    @Test
    void ignoresOtherLinesAndSuffixes() {
        assertEquals(new CriuVersion(4, 2, 0), CriuVersion.parse("Warn: something\r\n  Version: 4.2-rc1\n"));
    }

    @Test
    void refusesOutputWithoutVersionLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CriuVersion.parse("criu: command not found\n"));
        assertTrue(e.getMessage().contains("expected a line like 'Version: 4.1.1'"), e.getMessage());
        assertTrue(e.getMessage().contains("criu: command not found"), e.getMessage());
    }

    @Test
    void refusesMalformedNumbers() {
        for (String bad : new String[] {"", "Version:", "Version: 4", "Version: x.y", "Version: 4.1.1.1", "4.1.1"}) {
            assertThrows(IllegalArgumentException.class, () -> CriuVersion.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> CriuVersion.parse(null));
        assertThrows(IllegalArgumentException.class, () -> new CriuVersion(-1, 0, 0));
    }

    @Test
    void ordersNumericallyNotLexically() {
        List<CriuVersion> versions = new ArrayList<>(List.of(
                new CriuVersion(4, 10, 0), new CriuVersion(3, 17, 1), new CriuVersion(4, 0, 0),
                new CriuVersion(4, 1, 1), new CriuVersion(4, 1, 0)));
        Collections.sort(versions);
        assertEquals(List.of(new CriuVersion(3, 17, 1), new CriuVersion(4, 0, 0), new CriuVersion(4, 1, 0),
                new CriuVersion(4, 1, 1), new CriuVersion(4, 10, 0)), versions);
    }

    @Test
    void atLeastComparesMajorAndMinor() {
        assertTrue(new CriuVersion(4, 0, 0).atLeast(4, 0));
        assertTrue(new CriuVersion(4, 1, 1).atLeast(4, 1));
        assertTrue(new CriuVersion(5, 0, 0).atLeast(4, 9));
        assertFalse(new CriuVersion(3, 17, 1).atLeast(4, 0));
        assertFalse(new CriuVersion(4, 0, 9).atLeast(4, 1));
    }

    @Test
    void printsLikeCriu() {
        assertEquals("4.0", new CriuVersion(4, 0, 0).toString());
        assertEquals("3.17.1", new CriuVersion(3, 17, 1).toString());
    }
}
