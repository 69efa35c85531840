package dev.agentd.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds archives by hand, including ones agentd would never write: unlisted
 * members, traversal paths, link entries, wrong manifests.
 */
final class TestTar {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final TarWriter tar = new TarWriter(out);
    private final List<ArchiveManifest.Member> listed = new ArrayList<>();

    /** catalog.json and images/, both listed: the start of every valid archive. */
    static TestTar valid() {
        return new TestTar().file(MemberPath.CATALOG, "{\"id\":\"a1\"}").dir(MemberPath.IMAGES);
    }

    TestTar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TestTar file(String name, byte[] content) {
        unlistedFile(name, content);
        listed.add(ArchiveManifest.Member.file(name, content.length, Sha256.hex(content)));
        return this;
    }

    TestTar unlistedFile(String name, byte[] content) {
        try {
            tar.beginFile(name, content.length);
            tar.write(content, 0, content.length);
            tar.endFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    TestTar dir(String name) {
        try {
            tar.directory(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listed.add(ArchiveManifest.Member.directory(name));
        return this;
    }

    /** A header of any type with no data (links, devices). */
    TestTar rawEntry(String name, char type) {
        out.writeBytes(TarHeader.encode(name, type, 0, 0644));
        return this;
    }

    /** An extra manifest line, whether or not such a member exists. */
    TestTar list(ArchiveManifest.Member member) {
        listed.add(member);
        return this;
    }

    /** Appends MANIFEST.json over what was listed, and the end marker. */
    byte[] withManifest() {
        byte[] manifest = new ArchiveManifest(listed).toJson();
        unlistedFile(MemberPath.MANIFEST, manifest);
        return finish();
    }

    byte[] finish() {
        try {
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
