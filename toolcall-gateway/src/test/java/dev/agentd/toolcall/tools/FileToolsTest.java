package dev.agentd.toolcall.tools;

import static dev.agentd.toolcall.tools.Calls.fails;
import static dev.agentd.toolcall.tools.Calls.ok;
import static dev.agentd.toolcall.tools.Calls.q;
import static dev.agentd.toolcall.tools.Calls.structured;
import static dev.agentd.toolcall.tools.Calls.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Openat2;
import dev.agentd.linux.testing.Require;
import dev.agentd.toolcall.ToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file tools against temp directories and the real kernel's openat2 (no
 * root needed). "root" is the granted workspace, "secret.txt" lies beside it,
 * outside every grant.
 */
class FileToolsTest {
    @TempDir
    Path tmp;
    Path root;
    Path secret;
    FakeContext ctx;

    final FileReadTool read = new FileReadTool();
    final FileWriteTool write = new FileWriteTool();
    final FileListTool list = new FileListTool();
    final FileStatTool stat = new FileStatTool();

    @BeforeEach
    void setUp() throws Exception {
        Require.feature("openat2", Openat2.isAvailable(), String.valueOf(Openat2.unavailabilityCause()));
        root = Files.createDirectories(tmp.resolve("ws"));
        secret = Files.writeString(tmp.resolve("secret.txt"), "TOP SECRET");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/notes.txt"), "hello notes");
        ctx = new FakeContext().grant(GrantKind.FILE_READ, root + "/**").grant(GrantKind.FILE_WRITE, root + "/**");
    }

    private String p(String rel) {
        return q(root + "/" + rel);
    }

    // --- file_read -------------------------------------------------------------------------

    @Test
    void read_grantedFileReturnsTextAndStructure() throws Exception {
        ToolResult r = ok(read, ctx, "{\"path\": " + p("sub/notes.txt") + "}");
        assertEquals("hello notes", text(r));
        JsonNode s = structured(r);
        assertEquals("hello notes", s.get("content").asText());
        assertEquals(11, s.get("size").asLong());
        assertEquals(11, s.get("bytes_read").asLong());
        assertFalse(s.get("truncated").asBoolean());
        assertEquals(List.of("file_read: " + root + "/sub/notes.txt"), ctx.authorized, "one invocation consumed");
    }

    @Test
    void read_offsetAndLengthReportTruncation() throws Exception {
        JsonNode s = structured(ok(read, ctx, "{\"path\": " + p("sub/notes.txt") + ", \"offset\": 6, \"length\": 3}"));
        assertEquals("not", s.get("content").asText());
        assertTrue(s.get("truncated").asBoolean());
        s = structured(ok(read, ctx, "{\"path\": " + p("sub/notes.txt") + ", \"offset\": 100}"));
        assertEquals("", s.get("content").asText());
        assertEquals(0, s.get("bytes_read").asLong());
    }

    @Test
    void read_binaryIsBase64() throws Exception {
        byte[] bin = {0, (byte) 0xff, (byte) 0xfe, 1, 2};
        Files.write(root.resolve("bin"), bin);
        JsonNode s = structured(ok(read, ctx, "{\"path\": " + p("bin") + "}"));
        assertFalse(s.has("content"));
        assertEquals(Base64.getEncoder().encodeToString(bin), s.get("content_base64").asText());
    }

    @Test
    void read_stopsBeforeACharacterCutInHalf() throws Exception {
        Files.writeString(root.resolve("u.txt"), "aé€b"); // 1 + 2 + 3 + 1 bytes
        JsonNode s = structured(ok(read, ctx, "{\"path\": " + p("u.txt") + ", \"length\": 5}"));
        assertEquals("aé", s.get("content").asText(), "the euro sign's first two bytes are held back");
        assertEquals(3, s.get("bytes_read").asLong());
        s = structured(ok(read, ctx, "{\"path\": " + p("u.txt") + ", \"offset\": 3}"));
        assertEquals("€b", s.get("content").asText());
    }

    @Test
    void read_relativePathRefused() {
        fails(read, ctx, "{\"path\": \"ws/sub/notes.txt\"}", "is relative");
        assertTrue(ctx.authorized.isEmpty(), "nothing consumed for a malformed path");
    }

    @Test
    void read_dotDotRefusedEvenWhenItStaysInside() {
        fails(read, ctx, "{\"path\": " + p("sub/../sub/notes.txt") + "}", "contains \"..\"");
        fails(read, ctx, "{\"path\": " + p("../secret.txt") + "}", "contains \"..\"");
        assertTrue(ctx.authorized.isEmpty());
    }

    @Test
    void read_nulRefused() {
        fails(read, ctx, "{\"path\": " + q(root + "/sub/notes.txt\u0000x") + "}", "NUL");
    }

    @Test
    void read_pathOutsideEveryGrantRefusedBeforeConsuming() {
        fails(read, ctx, "{\"path\": " + q(secret.toString()) + "}", "no file_read grant covers " + secret);
        fails(read, ctx, "{\"path\": \"/etc/passwd\"}", "no file_read grant covers /etc/passwd");
        // /ws-other is not under /ws/**: the '/' after the base matters.
        fails(read, ctx, "{\"path\": " + q(root + "-other/x") + "}", "no file_read grant covers");
        assertTrue(ctx.authorized.isEmpty());
    }

    @Test
    void read_brokerDenialIsReported() {
        ctx.denyAll = "grant 1 exhausted: 10 of 10 invocations used";
        fails(read, ctx, "{\"path\": " + p("sub/notes.txt") + "}", "denied: grant 1 exhausted");
    }

    @Test
    void read_symlinkToOutsideRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("leak"), secret);
        fails(read, ctx, "{\"path\": " + p("leak") + "}", "symlinks are not followed");
    }

    @Test
    void read_symlinkStayingInsideIsAlsoRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("sub/notes.txt"));
        fails(read, ctx, "{\"path\": " + p("alias") + "}", "symlinks are not followed");
    }

    @Test
    void read_symlinkedParentDirectoryRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("up"), tmp);
        fails(read, ctx, "{\"path\": " + p("up/secret.txt") + "}", "symlinks are not followed");
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        fails(read, ctx, "{\"path\": " + p("etc/hostname") + "}", "symlinks are not followed");
    }

    @Test
    void read_procSelfRootIsNotCoveredByAWorkspaceGrant() {
        fails(read, ctx, "{\"path\": " + q("/proc/self/root" + secret) + "}", "no file_read grant covers");
    }

    @Test
    void read_magicLinksUnderAProcGrantAreRefused() throws Exception {
        FakeContext proc = new FakeContext().grant(GrantKind.FILE_READ, "/proc/**");
        long pid = ProcessHandle.current().pid();
        // /proc/PID/root and /proc/PID/cwd are magic links: following them would leave /proc.
        fails(read, proc, "{\"path\": " + q("/proc/" + pid + "/root" + secret) + "}", "symlinks are not followed");
        fails(read, proc, "{\"path\": " + q("/proc/" + pid + "/cwd/pom.xml") + "}", "symlinks are not followed");
        // /proc/self is an ordinary symlink: refused too.
        fails(read, proc, "{\"path\": \"/proc/self/status\"}", "symlinks are not followed");
        // /proc/PID/exe, like /proc/PID/fd/N, is a magic link to an open file.
        fails(read, proc, "{\"path\": " + q("/proc/" + pid + "/exe") + "}", "symlinks are not followed");
    }

    @Test
    void read_hardLinkRefusedBecauseTheOtherNameMayBeOutside() throws Exception {
        Files.createLink(root.resolve("hard"), secret);
        fails(read, ctx, "{\"path\": " + p("hard") + "}", "2 hard links");
    }

    @Test
    void read_directoryAndFifoRefusedWithoutBlocking() throws Exception {
        fails(read, ctx, "{\"path\": " + p("sub") + "}", "not a regular file (it is a directory); use file_list");
        Process mk = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
        assertEquals(0, mk.waitFor());
        fails(read, ctx, "{\"path\": " + p("pipe") + "}", "it is a fifo");
    }

    @Test
    void read_missingFileNamesTheProblem() {
        fails(read, ctx, "{\"path\": " + p("sub/nope") + "}", "no such file or directory");
    }

    @Test
    void read_grantRootThroughASymlinkIsRefused() throws Exception {
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), root);
        FakeContext c = new FakeContext().grant(GrantKind.FILE_READ, alias + "/**");
        fails(read, c, "{\"path\": " + q(alias + "/sub/notes.txt") + "}", "goes through a symlink");
    }

    @Test
    void exactFileGrant_allowsOnlyThatFile() throws Exception {
        Files.writeString(root.resolve("sub/other.txt"), "other");
        FakeContext c = new FakeContext().grant(GrantKind.FILE_READ, root + "/sub/notes.txt");
        assertEquals("hello notes", text(ok(read, c, "{\"path\": " + p("sub/notes.txt") + "}")));
        fails(read, c, "{\"path\": " + p("sub/other.txt") + "}", "no file_read grant covers");
        fails(list, c, "{\"path\": " + p("sub") + "}", "no file_read grant covers");
        fails(read, c, "{\"path\": " + p("sub/notes.txt/x") + "}", "no file_read grant covers");
    }

    @Test
    void exactFileGrant_symlinkAtThatNameRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("sub/link.txt"), secret);
        FakeContext c = new FakeContext().grant(GrantKind.FILE_READ, root + "/sub/link.txt");
        fails(read, c, "{\"path\": " + p("sub/link.txt") + "}", "symlinks are not followed");
    }

    @Test
    void read_dotAndDoubleSlashesAreNormalised() throws Exception {
        assertEquals("hello notes", text(ok(read, ctx, "{\"path\": " + q(root + "//sub/./notes.txt") + "}")));
    }

    // --- file_write ------------------------------------------------------------------------

    @Test
    void write_createOverwriteAppend() throws Exception {
        JsonNode s = structured(ok(write, ctx, "{\"path\": " + p("out.txt") + ", \"mode\": \"create\", \"content\": \"one\"}"));
        assertTrue(s.get("created").asBoolean());
        assertEquals(3, s.get("size").asLong());
        fails(write, ctx, "{\"path\": " + p("out.txt") + ", \"mode\": \"create\", \"content\": \"x\"}",
                "already exists");
        s = structured(ok(write, ctx, "{\"path\": " + p("out.txt") + ", \"mode\": \"append\", \"content\": \"+two\"}"));
        assertFalse(s.get("created").asBoolean());
        assertEquals("one+two", Files.readString(root.resolve("out.txt")));
        ok(write, ctx, "{\"path\": " + p("out.txt") + ", \"mode\": \"overwrite\", \"content\": \"3\"}");
        assertEquals("3", Files.readString(root.resolve("out.txt")));
        ok(write, ctx, "{\"path\": " + p("new-by-append.txt") + ", \"mode\": \"append\", \"content\": \"a\"}");
        assertEquals("a", Files.readString(root.resolve("new-by-append.txt")));
    }

    @Test
    void write_base64Content() throws Exception {
        byte[] bin = {0, 1, (byte) 0xff};
        ok(write, ctx, "{\"path\": " + p("b.bin") + ", \"mode\": \"create\", \"content_base64\": "
                + q(Base64.getEncoder().encodeToString(bin)) + "}");
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 0xff), toList(Files.readAllBytes(root.resolve("b.bin"))));
        assertFalse(Calls.inputErrors(write, "{\"path\": \"/x\", \"mode\": \"create\", \"content\": \"a\","
                + " \"content_base64\": \"YQ==\"}").isEmpty(), "both at once fails the schema");
    }

    @Test
    void write_newFileBelongsToTheDirectoryOwner() throws Exception {
        boolean root0 = "root".equals(System.getProperty("user.name"));
        Path dir = root.resolve("sub");
        if (root0) {
            // As root, make the directory someone else's to see the chown happen.
            Files.setAttribute(dir, "unix:uid", 4242);
            Files.setAttribute(dir, "unix:gid", 4343);
        }
        ok(write, ctx, "{\"path\": " + p("sub/mine.txt") + ", \"mode\": \"create\", \"content\": \"x\"}");
        assertEquals(Files.getAttribute(dir, "unix:uid"), Files.getAttribute(dir.resolve("mine.txt"), "unix:uid"));
        assertEquals(Files.getAttribute(dir, "unix:gid"), Files.getAttribute(dir.resolve("mine.txt"), "unix:gid"));
        int mode = (Integer) Files.getAttribute(dir.resolve("mine.txt"), "unix:mode") & 0777;
        assertEquals(0, mode & 0133, "at most 0644: " + Integer.toOctalString(mode));
    }

    @Test
    void write_needsAFileWriteGrant() {
        FakeContext readOnly = new FakeContext().grant(GrantKind.FILE_READ, root + "/**");
        fails(write, readOnly, "{\"path\": " + p("x.txt") + ", \"mode\": \"create\", \"content\": \"x\"}",
                "no file_write grant covers");
        assertFalse(Files.exists(root.resolve("x.txt")));
    }

    @Test
    void write_throughSymlinkRefusedAndTargetUntouched() throws Exception {
        Files.createSymbolicLink(root.resolve("leak"), secret);
        for (String mode : List.of("create", "overwrite", "append")) {
            fails(write, ctx, "{\"path\": " + p("leak") + ", \"mode\": \"" + mode + "\", \"content\": \"pwned\"}",
                    mode.equals("create") ? "already exists" : "symlinks are not followed");
        }
        Files.createSymbolicLink(root.resolve("up"), tmp);
        fails(write, ctx, "{\"path\": " + p("up/secret.txt") + ", \"mode\": \"overwrite\", \"content\": \"pwned\"}",
                "symlinks are not followed");
        fails(write, ctx, "{\"path\": " + p("up/new.txt") + ", \"mode\": \"create\", \"content\": \"pwned\"}",
                "symlinks are not followed");
        assertEquals("TOP SECRET", Files.readString(secret));
        assertFalse(Files.exists(tmp.resolve("new.txt")));
    }

    @Test
    void write_hardLinkRefusedAndNotTruncated() throws Exception {
        Files.createLink(root.resolve("hard"), secret);
        fails(write, ctx, "{\"path\": " + p("hard") + ", \"mode\": \"overwrite\", \"content\": \"pwned\"}",
                "2 hard links");
        fails(write, ctx, "{\"path\": " + p("hard") + ", \"mode\": \"append\", \"content\": \"pwned\"}",
                "2 hard links");
        assertEquals("TOP SECRET", Files.readString(secret));
    }

    @Test
    void write_grantRootItselfAndMissingParentRefused() {
        fails(write, ctx, "{\"path\": " + q(root.toString()) + ", \"mode\": \"overwrite\", \"content\": \"x\"}",
                "is the root of");
        fails(write, ctx, "{\"path\": " + p("no/such/dir/f") + ", \"mode\": \"create\", \"content\": \"x\"}",
                "no such file or directory");
        fails(write, ctx, "{\"path\": " + p("sub") + ", \"mode\": \"overwrite\", \"content\": \"x\"}",
                "it is a directory");
    }

    @Test
    void write_exactFileGrantWritesOnlyThatFile() throws Exception {
        FakeContext c = new FakeContext().grant(GrantKind.FILE_WRITE, root + "/report.md");
        ok(write, c, "{\"path\": " + p("report.md") + ", \"mode\": \"create\", \"content\": \"# r\"}");
        fails(write, c, "{\"path\": " + p("other.md") + ", \"mode\": \"create\", \"content\": \"x\"}",
                "no file_write grant covers");
        assertEquals("# r", Files.readString(root.resolve("report.md")));
    }

    // --- file_list and file_stat -----------------------------------------------------------

    @Test
    void list_entriesWithTypesAndSizesSymlinksNotFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("leak"), secret);
        Files.writeString(root.resolve("a.txt"), "12345");
        ToolResult r = ok(list, ctx, "{\"path\": " + q(root.toString()) + "}");
        JsonNode entries = structured(r).get("entries");
        List<String> names = new ArrayList<>();
        entries.forEach(e -> names.add(e.get("name").asText() + ":" + e.get("type").asText()));
        assertEquals(List.of("a.txt:file", "leak:symlink", "sub:directory"), names);
        assertEquals(5, entries.get(0).get("size").asLong());
        assertTrue(text(r).contains("file\t5\ta.txt"), text(r));
        fails(list, ctx, "{\"path\": " + p("leak") + "}", "symlinks are not followed");
        fails(list, ctx, "{\"path\": " + p("a.txt") + "}", "not a directory");
    }

    @Test
    void stat_typeSizeModeMtime() throws Exception {
        Path f = root.resolve("sub/notes.txt");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2025-03-04T05:06:07Z")));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        JsonNode s = structured(ok(stat, ctx, "{\"path\": " + p("sub/notes.txt") + "}"));
        assertEquals("file", s.get("type").asText());
        assertEquals(11, s.get("size").asLong());
        assertEquals("0640", s.get("mode").asText());
        assertEquals(1, s.get("nlink").asInt());
        assertEquals("2025-03-04T05:06:07Z", s.get("mtime").asText());
        assertEquals("directory", structured(ok(stat, ctx, "{\"path\": " + q(root.toString()) + "}")).get("type").asText());
        Files.createSymbolicLink(root.resolve("leak"), secret);
        fails(stat, ctx, "{\"path\": " + p("leak") + "}", "symlinks are not followed");
        fails(stat, ctx, "{\"path\": " + q(secret.toString()) + "}", "no file_read grant covers");
    }

    @Test
    void stat_fifoIsDescribedNotOpened() throws Exception {
        Process mk = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
        assertEquals(0, mk.waitFor());
        assertEquals("fifo", structured(ok(stat, ctx, "{\"path\": " + p("pipe") + "}")).get("type").asText());
    }

    @Test
    void schemas_refuseUnknownArguments() {
        assertFalse(Calls.inputErrors(read, "{\"path\": \"/x\", \"follow\": true}").isEmpty());
        assertFalse(Calls.inputErrors(read, "{\"path\": \"/x\", \"length\": 1048577}").isEmpty());
        assertFalse(Calls.inputErrors(write, "{\"path\": \"/x\", \"mode\": \"truncate\", \"content\": \"\"}").isEmpty());
        assertFalse(Calls.inputErrors(write, "{\"path\": \"/x\", \"mode\": \"create\"}").isEmpty());
        assertTrue(Calls.inputErrors(write, "{\"path\": \"/x\", \"mode\": \"create\", \"content\": \"\"}").isEmpty());
    }

    private static List<Byte> toList(byte[] b) {
        List<Byte> l = new ArrayList<>();
        for (byte x : b) {
            l.add(x);
        }
        return l;
    }
}
