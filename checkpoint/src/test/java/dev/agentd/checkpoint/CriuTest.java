package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuTest {

    @TempDir
    Path tmp;

    private Path localSbin;
    private Path usrSbin;
    private List<Path> searchDirs;

    @BeforeEach
    void dirs() throws IOException {
        localSbin = Files.createDirectory(tmp.resolve("usr-local-sbin"));
        usrSbin = Files.createDirectory(tmp.resolve("usr-sbin"));
        searchDirs = List.of(localSbin, usrSbin);
    }

    private static Path executable(Path dir) throws IOException {
        Path criu = dir.resolve("criu");
        Files.writeString(criu, "#!/bin/sh\n");
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwxr-xr-x"));
        return criu;
    }

    @Test
    void findsCriuInSearchDirsAndReadsVersion() throws Exception {
        Path criu = executable(usrSbin);
        FakeCriu fake = new FakeCriu().answer("--version", 0, "Version: 4.1.1\n");

        Criu found = Criu.locate(Optional.empty(), searchDirs, fake);

        assertEquals(criu, found.path());
        assertEquals(new CriuVersion(4, 1, 1), found.version());
        assertEquals(List.of(List.of(criu.toString(), "--version")), fake.calls);
    }

    @Test
    void missingCriuSaysWhereItLookedAndWhatToInstall() {
        CriuException e = assertThrows(CriuException.class,
                () -> Criu.locate(Optional.empty(), searchDirs, new FakeCriu()));
        assertEquals("criu not found (looked in " + localSbin + ":" + usrSbin + "): install CRIU 4.0 or newer"
                + " (Debian trixie: apt install criu; on bookworm see docs/checkpoint.md)", e.getMessage());
    }

    @Test
    void nonExecutableFileIsNotCriu() throws Exception {
        Files.writeString(usrSbin.resolve("criu"), "not executable");
        CriuException e = assertThrows(CriuException.class,
                () -> Criu.locate(Optional.empty(), searchDirs, new FakeCriu()));
        assertTrue(e.getMessage().startsWith("criu not found"), e.getMessage());
    }

    @Test
    void refusesCriu3WithUpgradeAdvice() throws Exception {
        Path criu = executable(usrSbin);
        FakeCriu fake = new FakeCriu().answer("--version", 0, "Version: 3.17.1\n");

        CriuException e = assertThrows(CriuException.class, () -> Criu.locate(Optional.empty(), searchDirs, fake));

        assertTrue(e.getMessage().startsWith("criu 3.17.1 at " + criu + " is too old: agentd needs CRIU 4.0 or newer"
                + " (3.x fails to dump on kernels 6.x)"), e.getMessage());
        assertTrue(e.getMessage().contains("apt install criu"), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/local/sbin"), e.getMessage());
    }

    @Test
    void prefersNewEnoughCriuLaterInTheSearchOrder() throws Exception {
        // /usr/local/sbin first in the order is too old; /usr/sbin's is fine.
        Path old = executable(localSbin);
        Path good = executable(usrSbin);
        CommandRunner runner = (argv, timeout) -> new CommandRunner.Result(0,
                argv.get(0).equals(old.toString()) ? "Version: 3.17.1\n" : "Version: 4.0\nGitID: v4.0\n");

        Criu found = Criu.locate(Optional.empty(), searchDirs, runner);

        assertEquals(good, found.path());
        assertEquals("criu 4.0 at " + good, found.toString());
    }

    @Test
    void configuredPathIsTheOnlyCandidate() throws Exception {
        executable(localSbin);
        Path configured = executable(Files.createDirectory(tmp.resolve("opt")));
        FakeCriu fake = new FakeCriu().answer("--version", 0, "Version: 4.1\n");

        Criu found = Criu.locate(Optional.of(configured), searchDirs, fake);

        assertEquals(configured, found.path());
        assertEquals(1, fake.calls.size());
    }

    @Test
    void missingConfiguredPathIsNotReplacedBySearch() throws Exception {
        executable(usrSbin);
        Path configured = tmp.resolve("nowhere/criu");
        CriuException e = assertThrows(CriuException.class,
                () -> Criu.locate(Optional.of(configured), searchDirs, new FakeCriu()));
        assertTrue(e.getMessage().startsWith("criu not found at configured path " + configured), e.getMessage());
        assertTrue(e.getMessage().contains("install CRIU 4.0 or newer"), e.getMessage());
    }

    @Test
    void relativeConfiguredPathIsRefused() {
        CriuException e = assertThrows(CriuException.class,
                () -> Criu.locate(Optional.of(Path.of("criu")), searchDirs, new FakeCriu()));
        assertTrue(e.getMessage().contains("not absolute"), e.getMessage());
    }

    @Test
    void unrunnableOrGarbledCriuIsReported() throws Exception {
        Path criu = executable(usrSbin);
        CriuException e = assertThrows(CriuException.class, () -> Criu.locate(Optional.empty(), searchDirs,
                new FakeCriu().fail("--version", new IOException("exec format error"))));
        assertTrue(e.getMessage().startsWith("could not run " + criu + " --version: exec format error"), e.getMessage());

        e = assertThrows(CriuException.class, () -> Criu.locate(Optional.empty(), searchDirs,
                new FakeCriu().answer("--version", 0, "hello\n")));
        assertTrue(e.getMessage().contains("expected a line like 'Version: 4.1.1'"), e.getMessage());

        e = assertThrows(CriuException.class, () -> Criu.locate(Optional.empty(), searchDirs,
                new FakeCriu().answer("--version", 127, "error while loading shared libraries: libnl-3.so.200\n")));
        assertTrue(e.getMessage().contains("exited with status 127 (error while loading shared libraries"), e.getMessage());
    }

    @Test
    void supportsRunsFeatureCheckOnceAndCaches() throws Exception {
        executable(usrSbin);
        FakeCriu fake = new FakeCriu()
                .answer("--version", 0, "Version: 4.1.1\n")
                .answer("check --feature mem_dirty_track", 0, "mem_dirty_track is supported\n")
                .answer("check --feature uffd-noncoop", 1, "Error (criu/cr-check.c:1): Non-cooperative UFFD is not supported\n");
        Criu criu = Criu.locate(Optional.empty(), searchDirs, fake);

        assertTrue(criu.supports("mem_dirty_track"));
        assertTrue(criu.supports("mem_dirty_track"));
        assertFalse(criu.supports("uffd-noncoop"));
        assertFalse(criu.supports("uffd-noncoop"));

        assertEquals(1, fake.count("check --feature mem_dirty_track"));
        assertEquals(1, fake.count("check --feature uffd-noncoop"));
    }

    @Test
    void supportsRefusesOddFeatureNames() throws Exception {
        executable(usrSbin);
        Criu criu = Criu.locate(Optional.empty(), searchDirs, new FakeCriu().answer("--version", 0, "Version: 4.1.1\n"));
        assertThrows(IllegalArgumentException.class, () -> criu.supports("--all"));
        assertThrows(IllegalArgumentException.class, () -> criu.supports("a b"));
        assertThrows(IllegalArgumentException.class, () -> criu.supports(""));
    }

    @Test
    void needingRootIsAFaultNotAnAnswer() throws Exception {
        executable(usrSbin);
        FakeCriu fake = new FakeCriu()
                .answer("--version", 0, "Version: 4.1.1\n")
                .answer("check --feature uffd", 1, "Error (criu/util.c:1): You need to be root to run this command\n");
        Criu criu = Criu.locate(Optional.empty(), searchDirs, fake);

        CriuException e = assertThrows(CriuException.class, () -> criu.supports("uffd"));
        assertTrue(e.getMessage().contains("must run as root"), e.getMessage());
        assertThrows(CriuException.class, () -> criu.supports("uffd"));
        assertEquals(2, fake.count("check --feature uffd"), "a fault is not cached");
    }

    @Test
    void checkReportReturnsOutputEvenWhenTheCheckFails() throws Exception {
        executable(usrSbin);
        FakeCriu fake = new FakeCriu()
                .answer("--version", 0, "Version: 4.1.1\n")
                .answer("check", 1, "Warn (criu/cr-check.c:1): foo\nLooks good but some kernel features are missing\n");
        Criu criu = Criu.locate(Optional.empty(), searchDirs, fake);

        assertTrue(criu.checkReport().contains("Looks good but some kernel features are missing"));
    }

    @Test
    void timeoutOfCheckIsReported() throws Exception {
        Path path = executable(usrSbin);
        FakeCriu fake = new FakeCriu()
                .answer("--version", 0, "Version: 4.1.1\n")
                .fail("check", new IOException(path + " check did not finish within 60 s and was killed"));
        Criu criu = Criu.locate(Optional.empty(), searchDirs, fake);

        CriuException e = assertThrows(CriuException.class, criu::checkReport);
        assertTrue(e.getMessage().startsWith("could not run " + path + " check: "), e.getMessage());
    }
}
