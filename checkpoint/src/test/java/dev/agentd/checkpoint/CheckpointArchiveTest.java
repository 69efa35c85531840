package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointArchiveTest {

    private static final String LONG_NAME = "x".repeat(150) + ".img";
    private static final String DEEP_NAME = "sub/nested/" + "y".repeat(95);

    @TempDir
    Path tmp;

    private Path checkpoint;
    private Path work;
    private Map<String, Object> catalog;
    private byte[] pages;

    @BeforeEach
    void checkpointDir() throws IOException {
        checkpoint = Files.createDirectory(tmp.resolve("checkpoint"));
        work = Files.createDirectory(tmp.resolve("work"));
        pages = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(pages);
        Files.write(checkpoint.resolve("pages-1.img"), pages);
        Files.writeString(checkpoint.resolve("core-42.img"), "core of 42");
        Files.write(checkpoint.resolve("empty.img"), new byte[0]);
        Files.createDirectories(checkpoint.resolve("sub/nested"));
        Files.writeString(checkpoint.resolve("sub/nested/deep.img"), "deep");
        Files.writeString(checkpoint.resolve(DEEP_NAME), "long path, split over prefix and name");
        Files.writeString(checkpoint.resolve("sub").resolve(LONG_NAME), "long name, needs pax");
        Files.createDirectory(checkpoint.resolve("emptydir"));
        catalog = new LinkedHashMap<>();
        catalog.put("id", "ckpt-1");
        catalog.put("agent", "a1");
        catalog.put("pid", 42);
        catalog.put("labels", List.of("nightly"));
    }

    private Path export() throws IOException {
        Path archive = work.resolve("ckpt-1.tar");
        CheckpointArchive.export(checkpoint, catalog, archive);
        return archive;
    }

    /** Every file and directory under {@code root}: relative path to content (null for directories). */
    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> tree = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).collect(Collectors.toList())) {
                tree.put(root.relativize(p).toString(), Files.isDirectory(p) ? null : Files.readAllBytes(p));
            }
        }
        return tree;
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        Map<String, byte[]> a = tree(expected), b = tree(actual);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
        }
    }

    private List<String> workListing() throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private CheckpointArchiveException refusedImport(byte[] archive) throws IOException {
        Path file = work.resolve("hostile.tar");
        Files.write(file, archive);
        List<String> before = workListing();
        Path dest = work.resolve("dest");
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class,
                () -> CheckpointArchive.importTo(file, dest));
        assertFalse(Files.exists(dest), "nothing at the destination after a refusal");
        assertEquals(before, workListing(), "no temporary directory left behind");
        assertFalse(Files.exists(tmp.resolve("evil")) || Files.exists(work.resolve("evil")));
        Files.delete(file);
        return e;
    }

    // --- round trip ---------------------------------------------------------------------------

    @Test
    void roundTripRestoresEveryFileAndTheCatalog() throws Exception {
        Path archive = work.resolve("ckpt-1.tar");
        String sha = CheckpointArchive.export(checkpoint, catalog, archive);
        assertTrue(sha.matches("[0-9a-f]{64}"), sha);
        assertEquals(List.of("ckpt-1.tar"), workListing(), "no temporary file left behind");

        Path dest = work.resolve("imported");
        CheckpointArchive.Imported imported = CheckpointArchive.importTo(archive, dest);

        assertEquals(dest.resolve("images"), imported.imagesDir());
        assertEquals(sha, imported.manifestSha256());
        assertEquals("ckpt-1", imported.catalogEntry().get("id").asText());
        assertEquals(42, imported.catalogEntry().get("pid").asInt());
        assertEquals("nightly", imported.catalogEntry().get("labels").get(0).asText());
        assertSameTree(checkpoint, imported.imagesDir());
        assertTrue(Files.isDirectory(imported.imagesDir().resolve("emptydir")));
        assertEquals(0, Files.size(imported.imagesDir().resolve("empty.img")));
        assertTrue(Files.isRegularFile(dest.resolve("catalog.json")));
        assertTrue(Files.isRegularFile(dest.resolve("MANIFEST.json")));
        assertEquals(sha, Sha256.hex(Files.readAllBytes(dest.resolve("MANIFEST.json"))));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(imported.imagesDir().resolve("pages-1.img"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)));
        assertEquals(List.of("ckpt-1.tar", "imported"), workListing());
    }

    @Test
    void exportIsDeterministicAndOwnerOnly() throws Exception {
        Path a = work.resolve("a.tar"), b = work.resolve("b.tar");
        String shaA = CheckpointArchive.export(checkpoint, catalog, a);
        String shaB = CheckpointArchive.export(checkpoint, catalog, b);
        assertEquals(shaA, shaB);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
    }

    @Test
    void membersAreInOrderWithManifestLast() throws Exception {
        Path archive = export();
        List<String> names = new ArrayList<>();
        try (var in = Files.newInputStream(archive)) {
            TarReader r = new TarReader(in);
            for (TarReader.Entry e; (e = r.next()) != null; ) {
                names.add(e.name());
            }
        }
        assertEquals(List.of("catalog.json", "images/", "images/core-42.img", "images/empty.img", "images/emptydir/",
                "images/pages-1.img", "images/sub/", "images/sub/nested/", "images/sub/nested/deep.img",
                "images/" + DEEP_NAME, "images/sub/" + LONG_NAME, "MANIFEST.json"), names);
    }

    @Test
    void progressEndsAtTheTotal() throws Exception {
        List<long[]> exportUpdates = new ArrayList<>();
        Path archive = work.resolve("p.tar");
        CheckpointArchive.export(checkpoint, catalog, archive, (done, total) -> exportUpdates.add(new long[] {done, total}));
        long[] last = exportUpdates.get(exportUpdates.size() - 1);
        assertEquals(last[1], last[0]);
        assertTrue(last[1] > pages.length);
        assertTrue(exportUpdates.size() >= 5 && exportUpdates.size() < 50, "about one update per MiB");

        List<long[]> importUpdates = new ArrayList<>();
        CheckpointArchive.importTo(archive, work.resolve("d"), (done, total) -> importUpdates.add(new long[] {done, total}));
        long[] end = importUpdates.get(importUpdates.size() - 1);
        assertEquals(Files.size(archive), end[1]);
        assertEquals(end[1], end[0]);
        for (int i = 1; i < importUpdates.size(); i++) {
            assertTrue(importUpdates.get(i)[0] >= importUpdates.get(i - 1)[0]);
        }
    }

    @Test
    void standardTarReadsTheArchive() throws Exception {
        // tar is essential on Debian: its absence is a broken host, not a reason to skip.
        assertTrue(Files.isExecutable(Path.of("/usr/bin/tar")), "no /usr/bin/tar on this host");
        Path archive = export();
        Process list = new ProcessBuilder("/usr/bin/tar", "-tf", archive.toString()).redirectErrorStream(true).start();
        String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), out);
        assertTrue(out.contains("images/sub/" + LONG_NAME + "\n"), out);
        assertTrue(out.contains("images/" + DEEP_NAME + "\n"), out);

        Path extracted = Files.createDirectory(tmp.resolve("by-tar"));
        Process x = new ProcessBuilder("/usr/bin/tar", "-xf", archive.toString(), "-C", extracted.toString())
                .redirectErrorStream(true).start();
        String xout = new String(x.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, x.waitFor(), xout);
        assertSameTree(checkpoint, extracted.resolve("images"));
    }

    // --- import refusals ----------------------------------------------------------------------

    @Test
    void flippedByteInAnImageIsRefusedNamingTheMember() throws Exception {
        byte[] archive = Files.readAllBytes(export());
        int at = indexOf(archive, Arrays.copyOf(pages, 64));
        archive[at + 1_000_000] ^= 0x01;

        CheckpointArchiveException e = refusedImport(archive);

        assertEquals("images/pages-1.img", e.member().orElseThrow());
        assertTrue(e.getMessage().startsWith("member 'images/pages-1.img' has the wrong sha256 (content hashes to "), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt or was modified"), e.getMessage());
    }

    @Test
    void flippedByteInAHeaderIsABadChecksum() throws Exception {
        byte[] archive = Files.readAllBytes(export());
        archive[2] ^= 0x01; // inside the name of the first header
        CheckpointArchiveException e = refusedImport(archive);
        assertTrue(e.getMessage().startsWith("bad header checksum at byte offset 0"), e.getMessage());
    }

    @Test
    void truncatedArchiveIsRefused() throws Exception {
        byte[] archive = Files.readAllBytes(export());
        int pagesAt = indexOf(archive, Arrays.copyOf(pages, 64));
        int[] cuts = {
            pagesAt + 4096,               // inside an image
            pagesAt - 200,                // inside the image's header
            archive.length - 1024,        // before the end-of-archive marker
            archive.length - 512,         // inside the end-of-archive marker
            1024,                         // after catalog.json
        };
        for (int cut : cuts) {
            CheckpointArchiveException e = refusedImport(Arrays.copyOf(archive, cut));
            assertTrue(e.getMessage().contains("truncated"), cut + ": " + e.getMessage());
        }
        CheckpointArchiveException e = refusedImport(Arrays.copyOf(archive, pagesAt + 4096));
        assertEquals("archive is truncated: member 'images/pages-1.img' ends after 4096 of 5242880 bytes"
                + " (was the copy interrupted?)", e.getMessage());
    }

    @Test
    void pathTraversalIsRefused() throws Exception {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("../evil", "'..' path component");
        hostile.put("images/../../evil", "'..' path component");
        hostile.put("/etc/evil", "absolute path");
        hostile.put("images/./x", "'.' path component");
        hostile.put("images//x", "empty path component");
        hostile.put("evil", "unexpected member");
        hostile.put("images/a\u001b[2Jb", "control character");
        for (Map.Entry<String, String> h : hostile.entrySet()) {
            CheckpointArchiveException e = refusedImport(
                    TestTar.valid().file(h.getKey(), "x").withManifest());
            assertEquals(h.getKey(), e.member().orElseThrow());
            assertTrue(e.getMessage().contains(h.getValue()), e.getMessage());
            assertFalse(e.getMessage().contains("\u001b"), "names are escaped in messages");
        }
    }

    @Test
    void linksAndDevicesAreRefused() throws Exception {
        Map<Character, String> types = Map.of('2', "symbolic link", '1', "hard link", '3', "device",
                '4', "device", '6', "fifo", 'L', "unsupported tar entry type 'L'");
        for (Map.Entry<Character, String> t : types.entrySet()) {
            CheckpointArchiveException e = refusedImport(
                    TestTar.valid().rawEntry("images/link", t.getKey()).withManifest());
            assertEquals("images/link", e.member().orElseThrow());
            assertTrue(e.getMessage().startsWith("member 'images/link' "), e.getMessage());
            assertTrue(e.getMessage().contains(t.getValue()), e.getMessage());
        }
    }

    @Test
    void unlistedMemberIsRefused() throws Exception {
        CheckpointArchiveException e = refusedImport(TestTar.valid()
                .file("images/core.img", "core")
                .unlistedFile("images/extra.img", "smuggled".getBytes(StandardCharsets.UTF_8))
                .withManifest());
        assertEquals("member 'images/extra.img' is not listed in MANIFEST.json: the archive was modified after export",
                e.getMessage());
    }

    @Test
    void listedButMissingMemberIsRefused() throws Exception {
        CheckpointArchiveException e = refusedImport(TestTar.valid()
                .file("images/core.img", "core")
                .list(ArchiveManifest.Member.file("images/pages.img", 3, "0".repeat(64)))
                .withManifest());
        assertEquals("member 'images/pages.img' is listed in MANIFEST.json but missing from the archive", e.getMessage());
    }

    @Test
    void sizeMismatchIsRefused() throws Exception {
        byte[] content = "core".getBytes(StandardCharsets.UTF_8);
        CheckpointArchiveException e = refusedImport(TestTar.valid()
                .unlistedFile("images/core.img", content)
                .list(ArchiveManifest.Member.file("images/core.img", 5, Sha256.hex(content)))
                .withManifest());
        assertTrue(e.getMessage().startsWith("member 'images/core.img' is 4 bytes but MANIFEST.json lists 5"), e.getMessage());
    }

    @Test
    void duplicateMemberIsRefused() throws Exception {
        CheckpointArchiveException e = refusedImport(TestTar.valid()
                .file("images/core.img", "one")
                .unlistedFile("images/core.img", "two".getBytes(StandardCharsets.UTF_8))
                .withManifest());
        assertEquals("member 'images/core.img' appears twice in the archive", e.getMessage());
    }

    @Test
    void missingCatalogOrManifestIsRefused() throws Exception {
        CheckpointArchiveException noCatalog = refusedImport(new TestTar().dir("images").withManifest());
        assertTrue(noCatalog.getMessage().startsWith("archive has no catalog.json"), noCatalog.getMessage());

        CheckpointArchiveException noManifest = refusedImport(TestTar.valid().file("images/a", "a").finish());
        assertTrue(noManifest.getMessage().startsWith("archive has no MANIFEST.json"), noManifest.getMessage());
    }

    @Test
    void memberAfterManifestIsRefused() throws Exception {
        byte[] valid = TestTar.valid().file("images/a", "a").withManifest();
        // Drop the end marker and append another member.
        byte[] tail = new TestTar().unlistedFile("images/late", "late".getBytes(StandardCharsets.UTF_8)).finish();
        byte[] hostile = Arrays.copyOf(valid, valid.length - 1024 + tail.length);
        System.arraycopy(tail, 0, hostile, valid.length - 1024, tail.length);
        CheckpointArchiveException e = refusedImport(hostile);
        assertTrue(e.getMessage().startsWith("member 'images/late' follows MANIFEST.json"), e.getMessage());
    }

    @Test
    void dataAfterTheEndMarkerIsRefused() throws Exception {
        byte[] valid = Files.readAllBytes(export());
        byte[] hostile = Arrays.copyOf(valid, valid.length + 512);
        hostile[valid.length + 7] = 'x';
        CheckpointArchiveException e = refusedImport(hostile);
        assertTrue(e.getMessage().startsWith("unexpected data after the end-of-archive marker"), e.getMessage());

        // Zero padding (as tar adds up to its record size) is fine.
        Path padded = work.resolve("padded.tar");
        Files.write(padded, Arrays.copyOf(valid, valid.length + 10240));
        CheckpointArchive.importTo(padded, work.resolve("ok"));
    }

    @Test
    void invalidManifestOrCatalogIsRefused() throws Exception {
        byte[] archive = TestTar.valid().unlistedFile(MemberPath.MANIFEST, "{\"format\":\"zip\"}".getBytes(StandardCharsets.UTF_8))
                .finish();
        CheckpointArchiveException e = refusedImport(archive);
        assertTrue(e.getMessage().startsWith("MANIFEST.json is invalid: \"format\""), e.getMessage());

        e = refusedImport(new TestTar().file(MemberPath.CATALOG, "[1,2]").dir("images").withManifest());
        assertEquals("catalog.json is not a JSON object", e.getMessage());
    }

    @Test
    void existingDestinationIsRefusedAndUntouched() throws Exception {
        Path archive = export();
        Path dest = Files.createDirectory(work.resolve("dest"));
        Files.writeString(dest.resolve("keep"), "mine");

        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class,
                () -> CheckpointArchive.importTo(archive, dest));

        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("mine", Files.readString(dest.resolve("keep")));
        assertEquals(List.of("ckpt-1.tar", "dest"), workListing());
    }

    @Test
    void missingArchiveIsRefused() {
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class,
                () -> CheckpointArchive.importTo(work.resolve("none.tar"), work.resolve("d")));
        assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    }

    // --- export refusals ----------------------------------------------------------------------

    @Test
    void exportRefusesSymlinks() throws Exception {
        Files.createSymbolicLink(checkpoint.resolve("sub/link.img"), Path.of("/etc/passwd"));
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class, this::export);
        assertEquals("images/sub/link.img", e.member().orElseThrow());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals(List.of(), workListing());
    }

    @Test
    void exportRefusesAnExistingArchiveFile() throws Exception {
        Path archive = work.resolve("ckpt-1.tar");
        Files.writeString(archive, "precious");
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class, this::export);
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("precious", Files.readString(archive));
        assertEquals(List.of("ckpt-1.tar"), workListing());
    }

    @Test
    void exportRefusesMissingDirectories() {
        assertThrows(CheckpointArchiveException.class,
                () -> CheckpointArchive.export(tmp.resolve("nope"), catalog, work.resolve("x.tar")));
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class,
                () -> CheckpointArchive.export(checkpoint, catalog, work.resolve("no/such/dir/x.tar")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void exportRefusesACatalogThatIsNotJson() {
        Map<String, Object> bad = Map.of("self", new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointArchive.export(checkpoint, bad, work.resolve("x.tar")));
        assertTrue(e.getMessage().startsWith("catalog entry cannot be written as JSON"), e.getMessage());
        assertTrue(workListingUnchecked().isEmpty());
    }

    @Test
    void failedExportLeavesNothingBehind() throws Exception {
        // A progress callback that fails half way stands in for a full disk.
        Path archive = work.resolve("ckpt-1.tar");
        RuntimeException boom = assertThrows(RuntimeException.class, () -> CheckpointArchive.export(checkpoint, catalog,
                archive, (done, total) -> {
                    if (done > 2_000_000) {
                        throw new IllegalStateException("disk full");
                    }
                }));
        assertEquals("disk full", boom.getMessage());
        assertEquals(List.of(), workListing());
    }

    private List<String> workListingUnchecked() {
        try {
            return workListing();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
