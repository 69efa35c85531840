package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class SyscallExceptionTest {
    @Test
    void message_namesSyscallErrnoAndContext() {
        SyscallException e = new SyscallException("landlock_add_rule", 13, "path=/data");
        assertEquals("landlock_add_rule failed: EACCES (Permission denied) (path=/data)", e.getMessage());
        assertEquals(Errno.EACCES, e.errno());
        assertEquals("path=/data", e.context());
        assertTrue(e.is(Errno.EACCES));
    }

    @Test
    void message_unknownErrnoIsNumbered() {
        assertEquals("x failed: errno 4242", new SyscallException("x", 4242, "").getMessage());
    }

    @Test
    void toJdk_enoentIsNoSuchFile() {
        SyscallException e = new SyscallException("open", 2, "path=/nope");
        IOException j = e.toJdk();
        assertTrue(j instanceof NoSuchFileException);
        assertEquals("/nope", ((NoSuchFileException) j).getFile());
        assertSame(e, j.getCause());
    }

    @Test
    void toJdk_eaccesIsAccessDenied() {
        assertTrue(new SyscallException("open", 13, "path=/x").toJdk() instanceof AccessDeniedException);
    }

    @Test
    void toJdk_withoutPathStaysSyscallException() {
        SyscallException e = new SyscallException("kill", 3, "pid=1");
        assertSame(e, e.toJdk());
    }

    @Test
    void errno_tableMatchesHeader() {
        assertEquals(1, Errno.EPERM.number());
        assertEquals(38, Errno.ENOSYS.number());
        assertEquals(95, Errno.EOPNOTSUPP.number());
        assertEquals("EAGAIN", Errno.nameOf(11));
    }
}
