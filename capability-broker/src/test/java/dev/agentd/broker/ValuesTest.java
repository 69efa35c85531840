package dev.agentd.broker;

import static dev.agentd.broker.GrantKind.FILE_READ;
import static dev.agentd.broker.GrantKind.NET;
import static dev.agentd.broker.GrantKind.TOOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void normalize_path_dropsEmptyAndDotSegments() {
        assertEquals("/a/b", Values.normalize(FILE_READ, "/a//./b/"));
        assertEquals("/a/**", Values.normalize(FILE_READ, "/a/**/"));
        assertEquals("/**", Values.normalize(FILE_READ, "/**"));
        assertEquals("/", Values.normalize(FILE_READ, "//"));
    }

    @Test
    void normalize_path_refusesRelativeDotDotNulAndWildcards() {
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, "a/b"));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, ""));
        IllegalArgumentException dots = assertThrows(IllegalArgumentException.class,
                () -> Values.normalize(FILE_READ, "/a/../b"));
        assertTrue(dots.getMessage().contains("\"/a/../b\""), dots.getMessage());
        assertTrue(dots.getMessage().contains(".."), dots.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, "/a/b\0"));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, "/a/*.txt"));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, "/a/**/b"));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(FILE_READ, "/" + "x".repeat(5000)));
    }

    @Test
    void normalize_nul_isEscapedInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Values.normalize(FILE_READ, "/a\0\n"));
        assertFalse(e.getMessage().contains("\0") || e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void normalize_net_lowercasesAndChecksPort() {
        assertEquals("example.com", Values.normalize(NET, "Example.COM."));
        assertEquals("example.com:443", Values.normalize(NET, "example.com:443"));
        assertEquals("[::1]", Values.normalize(NET, "::1"));
        assertEquals("[::1]:8080", Values.normalize(NET, "[::1]:8080"));
        for (String bad : new String[] {"", "example.com:0", "example.com:65536", "example.com:", "http://x",
                "*.example.com", "a b", "user@host", "x:-1", "[::1", "host/path"}) {
            assertThrows(IllegalArgumentException.class, () -> Values.normalize(NET, bad), bad);
        }
    }

    @Test
    void normalize_names_refuseWhitespaceAndControl() {
        assertEquals("echo", Values.normalize(TOOL, "echo"));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(TOOL, ""));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(TOOL, "echo "));
        assertThrows(IllegalArgumentException.class, () -> Values.normalize(TOOL, "ec\u0000ho"));
    }

    @Test
    void covers_subtree_isSegmentAware() {
        assertTrue(Values.covers(FILE_READ, "/a/**", "/a"));
        assertTrue(Values.covers(FILE_READ, "/a/**", "/a/b"));
        assertTrue(Values.covers(FILE_READ, "/a/**", "/a/b/**"));
        assertTrue(Values.covers(FILE_READ, "/a/**", "/a/**"));
        assertFalse(Values.covers(FILE_READ, "/a/**", "/ab"));
        assertFalse(Values.covers(FILE_READ, "/a/**", "/ab/**"));
        assertFalse(Values.covers(FILE_READ, "/a/**", "/"));
        assertFalse(Values.covers(FILE_READ, "/a", "/a/b"));
        assertFalse(Values.covers(FILE_READ, "/a", "/a/**"));
        assertTrue(Values.covers(FILE_READ, "/**", "/anything/at/all"));
        assertTrue(Values.covers(FILE_READ, "/**", "/"));
    }

    @Test
    void covers_net_hostCoversPortsNotTheReverse() {
        assertTrue(Values.covers(NET, "h.com", "h.com"));
        assertTrue(Values.covers(NET, "h.com", "h.com:443"));
        assertFalse(Values.covers(NET, "h.com:443", "h.com"));
        assertFalse(Values.covers(NET, "h.com:443", "h.com:80"));
        assertFalse(Values.covers(NET, "h.com", "sub.h.com"));
        assertFalse(Values.covers(NET, "h.com", "h.com.evil"));
        assertTrue(Values.covers(NET, "[::1]", "[::1]:80"));
    }

    @Test
    void specificity_exactBeatsSubtreeBeatsShorterSubtree() {
        assertTrue(Values.specificity(FILE_READ, "/a/b") > Values.specificity(FILE_READ, "/a/b/**"));
        assertTrue(Values.specificity(FILE_READ, "/a/b/**") > Values.specificity(FILE_READ, "/a/**"));
        assertTrue(Values.specificity(NET, "h:1") > Values.specificity(NET, "h"));
    }
}
