package dev.agentd.toolcall.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.ToolException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The lexical half of the file tools: normalising, coverage and the root/relative split. */
class GrantedPathTest {
    @Test
    void normalize_dropsEmptyAndDotSegments() throws Exception {
        assertEquals("/a/b", GrantedPath.normalize("/a//./b/"));
        assertEquals("/", GrantedPath.normalize("/"));
    }

    @Test
    void normalize_refusesRelativeDotDotNulAndWildcards() {
        assertTrue(assertThrows(ToolException.class, () -> GrantedPath.normalize("a/b")).getMessage().contains("relative"));
        assertTrue(assertThrows(ToolException.class, () -> GrantedPath.normalize("/a/../a/b")).getMessage().contains(".."));
        assertTrue(assertThrows(ToolException.class, () -> GrantedPath.normalize("/a\0b")).getMessage().contains("NUL"));
        assertTrue(assertThrows(ToolException.class, () -> GrantedPath.normalize("/a/**")).getMessage().contains("'*'"));
        assertThrows(ToolException.class, () -> GrantedPath.normalize("/" + "a".repeat(5000)));
    }

    @Test
    void covers_subtreeAndExact() {
        assertTrue(GrantedPath.covers("/w/**", "/w"));
        assertTrue(GrantedPath.covers("/w/**", "/w/a/b"));
        assertFalse(GrantedPath.covers("/w/**", "/wx"));
        assertFalse(GrantedPath.covers("/w/**", "/"));
        assertTrue(GrantedPath.covers("/w/f", "/w/f"));
        assertFalse(GrantedPath.covers("/w/f", "/w/f/g"));
        assertFalse(GrantedPath.covers("/w/f", "/w"));
        assertTrue(GrantedPath.covers("/**", "/etc/passwd"));
    }

    @Test
    void authorize_splitsIntoRootAndRelative() throws Exception {
        FakeContext c = new FakeContext().grant(GrantKind.FILE_READ, "/w/**").grant(GrantKind.FILE_READ, "/x/f.txt")
                .grant(GrantKind.FILE_WRITE, "/**");
        GrantedPath p = GrantedPath.authorize(c, GrantKind.FILE_READ, "/w/a/b");
        assertEquals(Path.of("/w"), p.root());
        assertEquals("a/b", p.relative());
        p = GrantedPath.authorize(c, GrantKind.FILE_READ, "/w");
        assertEquals("", p.relative());
        p = GrantedPath.authorize(c, GrantKind.FILE_READ, "/x/f.txt");
        assertEquals(Path.of("/x"), p.root());
        assertEquals("f.txt", p.relative());
        p = GrantedPath.authorize(c, GrantKind.FILE_WRITE, "/tmp/z");
        assertEquals(Path.of("/"), p.root());
        assertEquals("tmp/z", p.relative());
    }

    @Test
    void authorize_brokerGrantThatDoesNotCoverIsRefused() {
        // A broker answering with a grant for another path must not widen access.
        FakeContext odd = new FakeContext() {
            @Override
            public dev.agentd.broker.Decision authorize(GrantKind kind, String value) {
                return dev.agentd.broker.Decision.allowed(grants(kind).get(1));
            }
        }.grant(GrantKind.FILE_READ, "/w/**").grant(GrantKind.FILE_READ, "/etc/**");
        ToolException e = assertThrows(ToolException.class, () -> GrantedPath.authorize(odd, GrantKind.FILE_READ, "/w/a"));
        assertTrue(e.getMessage().contains("does not cover it"), e.getMessage());
    }
}
