package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.FdIo.DirEntry;
import dev.agentd.linux.FdIo.FileType;
import dev.agentd.linux.testing.Require;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openat2 and descriptor I/O against the real kernel; no root needed. */
class Openat2IT {
    private static final long STRICT = Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_SYMLINKS
            | Openat2.RESOLVE_NO_MAGICLINKS;

    @TempDir
    Path tmp;
    Path root;
    Path outside;

    @BeforeEach
    void setUp() throws Exception {
        Require.feature("openat2", Openat2.isAvailable(), String.valueOf(Openat2.unavailabilityCause()));
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.writeString(tmp.resolve("secret"), "outside");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/f.txt"), "hello");
    }

    private SyscallException refused(String rel, long resolve) {
        return assertThrows(SyscallException.class, () -> {
            try (Fd dir = Openat2.openDirectory(root)) {
                Openat2.openat2(dir, rel, FileSyscall.O_RDONLY, 0, resolve).close();
            }
        });
    }

    @Test
    void openat2_beneathReadsFile() throws Exception {
        try (Fd dir = Openat2.openDirectory(root);
             Fd f = Openat2.openat2(dir, "sub/f.txt", FileSyscall.O_RDONLY, 0, STRICT)) {
            assertEquals("hello", new String(FdIo.pread(f, 0, 100), StandardCharsets.UTF_8));
            assertEquals("llo", new String(FdIo.pread(f, 2, 100), StandardCharsets.UTF_8));
            assertEquals("el", new String(FdIo.pread(f, 1, 2), StandardCharsets.UTF_8));
        }
    }

    @Test
    void openat2_dotDotEscapeIsEXDEV() {
        SyscallException e = refused("../secret", STRICT);
        assertTrue(e.is(Errno.EXDEV), e.getMessage());
        assertTrue(e.getMessage().startsWith("openat2 failed: EXDEV"), e.getMessage());
        assertTrue(e.getMessage().contains("path=../secret"), e.getMessage());
    }

    @Test
    void openat2_absolutePathIsEXDEV() {
        assertTrue(refused(outside.toString(), STRICT).is(Errno.EXDEV));
    }

    @Test
    void openat2_symlinkIsELOOP() throws Exception {
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("inner"), root.resolve("sub/f.txt"));
        assertTrue(refused("link", STRICT).is(Errno.ELOOP));
        // Even a symlink that stays inside is refused: RESOLVE_NO_SYMLINKS means none.
        assertTrue(refused("inner", STRICT).is(Errno.ELOOP));
    }

    @Test
    void openat2_symlinkedParentIsELOOP() throws Exception {
        Files.createSymbolicLink(root.resolve("up"), tmp);
        assertTrue(refused("up/secret", STRICT).is(Errno.ELOOP));
    }

    @Test
    void openat2_beneathAloneRefusesAbsoluteSymlink() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), outside);
        assertTrue(refused("abs", Openat2.RESOLVE_BENEATH).is(Errno.EXDEV));
    }

    @Test
    void openat2_magicLinkIsRefused() throws Exception {
        // Beneath /proc, self/root is a magic link to the process's root: a way out
        // of any directory if it were followed.
        try (Fd proc = Openat2.openDirectory(Path.of("/proc"))) {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> Openat2.openat2(proc, "thread-self/root/etc/hostname", FileSyscall.O_RDONLY, 0,
                            Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_MAGICLINKS).close());
            assertTrue(e.is(Errno.ELOOP) || e.is(Errno.EXDEV), e.getMessage());
        }
    }

    @Test
    void openat2_missingIsENOENT() {
        SyscallException e = refused("sub/nope", STRICT);
        assertTrue(e.is(Errno.ENOENT));
        assertTrue(e.toJdk() instanceof java.nio.file.NoSuchFileException);
    }

    @Test
    void openat2_nulIsRejectedBeforeTheKernel() throws Exception {
        try (Fd dir = Openat2.openDirectory(root)) {
            assertThrows(IllegalArgumentException.class,
                    () -> Openat2.openat2(dir, "sub/f.txt\0x", FileSyscall.O_RDONLY, 0, STRICT));
        }
    }

    @Test
    void openDirectoryNoSymlinks_refusesSymlinkedComponent() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("rootlink"), root);
        try (Fd d = Openat2.openDirectoryNoSymlinks(root)) {
            assertEquals(FileType.DIRECTORY, FdIo.stat(d).type());
        }
        SyscallException e = assertThrows(SyscallException.class, () -> Openat2.openDirectoryNoSymlinks(link));
        assertTrue(e.is(Errno.ELOOP), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Openat2.openDirectoryNoSymlinks(Path.of("rel")));
        assertThrows(IllegalArgumentException.class, () -> Openat2.openDirectoryNoSymlinks(root.resolve("sub/..")));
    }

    @Test
    void createWriteTruncate_roundTrip() throws Exception {
        try (Fd dir = Openat2.openDirectory(root)) {
            try (Fd f = Openat2.openat2(dir, "new.bin",
                    FileSyscall.O_WRONLY | FileSyscall.O_CREAT | Openat2.O_EXCL, 0644, STRICT)) {
                byte[] big = new byte[200_000];
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) i;
                }
                FdIo.writeAll(f, big);
                FdIo.Stat st = FdIo.stat(f);
                assertEquals(FileType.REGULAR, st.type());
                assertEquals(200_000, st.size());
                assertEquals(1, st.nlink());
                assertArrayEquals(big, Files.readAllBytes(root.resolve("new.bin")));
                FdIo.truncate(f, 10);
            }
            assertEquals(10, Files.size(root.resolve("new.bin")));
            SyscallException e = assertThrows(SyscallException.class, () -> Openat2.openat2(dir, "new.bin",
                    FileSyscall.O_WRONLY | FileSyscall.O_CREAT | Openat2.O_EXCL, 0644, STRICT));
            assertTrue(e.is(Errno.EEXIST));
            try (Fd f = Openat2.openat2(dir, "new.bin", FileSyscall.O_WRONLY | FileSyscall.O_APPEND, 0, STRICT)) {
                FdIo.writeAll(f, "!".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(11, Files.size(root.resolve("new.bin")));
        }
    }

    @Test
    void stat_reportsTypeModeSizeLinksAndMtime() throws Exception {
        Path f = root.resolve("sub/f.txt");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2024-01-02T03:04:05.5Z")));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Files.createLink(root.resolve("hard"), f);
        try (Fd dir = Openat2.openDirectory(root);
             Fd fd = Openat2.openat2(dir, "sub/f.txt", FileSyscall.O_RDONLY, 0, STRICT)) {
            FdIo.Stat st = FdIo.stat(fd);
            assertEquals(FileType.REGULAR, st.type());
            assertEquals(0640, st.mode());
            assertEquals(5, st.size());
            assertEquals(2, st.nlink());
            assertEquals(Instant.parse("2024-01-02T03:04:05.5Z"), st.mtime());
            assertEquals(Files.getAttribute(f, "unix:uid"), st.uid());
            assertEquals(Files.getAttribute(f, "unix:ino"), st.inode());
            assertEquals(FileType.DIRECTORY, FdIo.stat(dir).type());
        }
    }

    @Test
    void list_namesTypesWithoutDots() throws Exception {
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.writeString(root.resolve("a"), "");
        for (int i = 0; i < 500; i++) {
            Files.writeString(root.resolve("sub/many-" + i), "");
        }
        try (Fd dir = Openat2.openDirectory(root)) {
            Map<String, FileType> types = FdIo.list(dir, 1000).stream()
                    .collect(Collectors.toMap(DirEntry::name, DirEntry::type));
            assertEquals(Map.of("sub", FileType.DIRECTORY, "a", FileType.REGULAR, "link", FileType.SYMLINK), types);
            assertEquals(FileType.SYMLINK, FdIo.statEntry(dir, "link").type());
            assertEquals(FileType.DIRECTORY, FdIo.statEntry(dir, "sub").type());
            assertThrows(IllegalArgumentException.class, () -> FdIo.statEntry(dir, "sub/f.txt"));
            assertThrows(IllegalArgumentException.class, () -> FdIo.statEntry(dir, ".."));
        }
        try (Fd dir = Openat2.openDirectory(root);
             Fd sub = Openat2.openat2(dir, "sub", FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY, 0, STRICT)) {
            List<DirEntry> all = FdIo.list(sub, 10_000);
            assertEquals(501, all.size(), "spans several getdents64 buffers");
        }
        try (Fd dir = Openat2.openDirectory(root.resolve("sub"))) {
            assertEquals(7, FdIo.list(dir, 7).size());
        }
    }

    @Test
    void isAvailable_probesOnce() {
        assertTrue(Openat2.isAvailable());
        assertEquals(null, Openat2.unavailabilityCause());
    }
}
