package dev.agentd.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link CheckpointArchive#importTo}: extracts into a private temporary directory
 * beside the destination, verifies every member against {@code MANIFEST.json}, and
 * only then renames the result into place.
 */
final class ArchiveImport {

    /** Caps on what is held in memory: a catalog entry and a manifest are small. */
    private static final long MAX_CATALOG_BYTES = 16L << 20;
    private static final long MAX_MANIFEST_BYTES = 64L << 20;

    /** What extraction found, before verification. */
    private static final class Extracted {
        final Map<String, ArchiveManifest.Member> members = new LinkedHashMap<>();
        byte[] catalog;
        byte[] manifest;
    }

    private ArchiveImport() {
    }

    static CheckpointArchive.Imported importTo(Path archiveFile, Path destDir, CheckpointArchive.Progress progress)
            throws IOException {
        if (!Files.isRegularFile(archiveFile)) {
            throw new CheckpointArchiveException("cannot import " + archiveFile + ": no such file");
        }
        Path dest = destDir.toAbsolutePath();
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointArchiveException("cannot import into " + dest
                    + ": it already exists (import into a directory that does not exist yet)");
        }
        Path parent = dest.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new CheckpointArchiveException("cannot import into " + dest + ": directory " + parent + " does not exist");
        }
        ProgressMeter meter = new ProgressMeter(progress, Files.size(archiveFile));
        Path temp = Files.createTempDirectory(parent, "." + dest.getFileName() + ".import-", ArchiveFiles.OWNER_ONLY_DIRECTORY);
        try {
            Extracted found;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(archiveFile), 1 << 16)) {
                found = extract(new TarReader(in), temp, meter);
            }
            String manifestSha256 = verify(found);
            JsonNode catalog = catalog(found.catalog);
            ArchiveFiles.forceDirectories(temp);
            if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                throw new CheckpointArchiveException("cannot import into " + dest + ": it was created while importing");
            }
            meter.finish();
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE);
            ArchiveFiles.forceDirectory(parent);
            return new CheckpointArchive.Imported(dest.resolve(MemberPath.IMAGES), catalog, manifestSha256);
        } catch (IOException | RuntimeException | Error e) {
            ArchiveFiles.deleteQuietly(temp, e);
            throw e;
        }
    }

    private static Extracted extract(TarReader tar, Path root, ProgressMeter meter) throws IOException {
        Extracted found = new Extracted();
        byte[] buf = new byte[1 << 16];
        for (TarReader.Entry e; (e = tar.next()) != null; ) {
            if (found.manifest != null) {
                throw refuse(e.name(), "follows " + MemberPath.MANIFEST
                        + ", which must be the last member: the archive was modified after export");
            }
            boolean directory = isDirectory(e);
            String path = directory && e.name().endsWith("/") ? e.name().substring(0, e.name().length() - 1) : e.name();
            String problem = path.endsWith("/") ? "file name ends with '/'" : MemberPath.problem(path, directory);
            if (problem != null) {
                throw refuse(e.name(), problem);
            }
            if (found.members.containsKey(path)) {
                throw refuse(path, "appears twice in the archive");
            }
            Path target = root.resolve(path);
            try {
                if (directory) {
                    Files.createDirectories(target, ArchiveFiles.OWNER_ONLY_DIRECTORY);
                    found.members.put(path, ArchiveManifest.Member.directory(path));
                } else {
                    extractFile(tar, e, path, target, found, buf, meter);
                }
            } catch (CheckpointArchiveException failed) {
                throw failed;
            } catch (IOException failed) {
                throw new CheckpointArchiveException("cannot extract member " + MemberPath.quote(path) + ": "
                        + CheckpointArchive.describe(failed), path, failed);
            }
        }
        return found;
    }

    private static void extractFile(TarReader tar, TarReader.Entry e, String path, Path target, Extracted found,
                                    byte[] buf, ProgressMeter meter) throws IOException {
        boolean manifest = path.equals(MemberPath.MANIFEST);
        boolean catalog = path.equals(MemberPath.CATALOG);
        long cap = manifest ? MAX_MANIFEST_BYTES : MAX_CATALOG_BYTES;
        if ((manifest || catalog) && e.size() > cap) {
            throw refuse(path, "is " + e.size() + " bytes, more than the " + cap + " an agentd archive ever has");
        }
        ByteArrayOutputStream kept = manifest || catalog ? new ByteArrayOutputStream((int) e.size()) : null;
        MessageDigest digest = Sha256.newDigest();
        Files.createDirectories(target.getParent(), ArchiveFiles.OWNER_ONLY_DIRECTORY);
        try (FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ArchiveFiles.OWNER_ONLY_FILE)) {
            for (int n; (n = tar.read(buf, 0, buf.length)) > 0; ) {
                digest.update(buf, 0, n);
                if (kept != null) {
                    kept.write(buf, 0, n);
                }
                ByteBuffer data = ByteBuffer.wrap(buf, 0, n);
                while (data.hasRemaining()) {
                    out.write(data);
                }
                meter.advanceTo(tar.position());
            }
            out.force(true);
        }
        String sha256 = Sha256.hex(digest);
        if (manifest) {
            found.manifest = kept.toByteArray();
        } else {
            if (catalog) {
                found.catalog = kept.toByteArray();
            }
            found.members.put(path, ArchiveManifest.Member.file(path, e.size(), sha256));
        }
    }

    /** Checks members and manifest agree both ways; returns the manifest's sha256. */
    private static String verify(Extracted found) throws CheckpointArchiveException {
        if (found.manifest == null) {
            throw new CheckpointArchiveException("archive has no " + MemberPath.MANIFEST
                    + ": it is not a checkpoint archive, or it was cut short", MemberPath.MANIFEST, null);
        }
        if (found.catalog == null) {
            throw new CheckpointArchiveException("archive has no " + MemberPath.CATALOG
                    + ": it is not a checkpoint archive", MemberPath.CATALOG, null);
        }
        if (!found.members.containsKey(MemberPath.IMAGES)) {
            throw new CheckpointArchiveException("archive has no " + MemberPath.IMAGES
                    + "/ directory: it is not a checkpoint archive", MemberPath.IMAGES, null);
        }
        Map<String, ArchiveManifest.Member> listed = ArchiveManifest.parse(found.manifest).members();
        for (ArchiveManifest.Member actual : found.members.values()) {
            ArchiveManifest.Member expected = listed.get(actual.path());
            if (expected == null) {
                throw refuse(actual.path(), "is not listed in " + MemberPath.MANIFEST
                        + ": the archive was modified after export");
            }
            if (expected.directory() != actual.directory()) {
                throw refuse(actual.path(), "is a " + kind(actual) + " but " + MemberPath.MANIFEST + " lists a "
                        + kind(expected) + ": the archive was modified after export");
            }
            if (expected.size() != actual.size()) {
                throw refuse(actual.path(), "is " + actual.size() + " bytes but " + MemberPath.MANIFEST + " lists "
                        + expected.size() + ": the archive is corrupt or was modified after export");
            }
            if (!actual.directory() && !expected.sha256().equals(actual.sha256())) {
                throw refuse(actual.path(), "has the wrong sha256 (content hashes to " + actual.sha256() + ", "
                        + MemberPath.MANIFEST + " lists " + expected.sha256()
                        + "): the archive is corrupt or was modified after export");
            }
        }
        for (String path : listed.keySet()) {
            if (!found.members.containsKey(path)) {
                throw refuse(path, "is listed in " + MemberPath.MANIFEST + " but missing from the archive");
            }
        }
        return Sha256.hex(found.manifest);
    }

    private static JsonNode catalog(byte[] json) throws CheckpointArchiveException {
        JsonNode node;
        try {
            node = ArchiveManifest.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointArchiveException(MemberPath.CATALOG + " is not valid JSON: " + e.getOriginalMessage(),
                    MemberPath.CATALOG, e);
        } catch (IOException e) {
            throw new CheckpointArchiveException(MemberPath.CATALOG + " cannot be read: " + e.getMessage(),
                    MemberPath.CATALOG, e);
        }
        if (node == null || !node.isObject()) {
            throw new CheckpointArchiveException(MemberPath.CATALOG + " is not a JSON object", MemberPath.CATALOG, null);
        }
        return node;
    }

    /** Only regular files and directories are extracted; say plainly what anything else is. */
    private static boolean isDirectory(TarReader.Entry e) throws CheckpointArchiveException {
        switch (e.type()) {
            case TarHeader.REGULAR:
            case TarHeader.REGULAR_OLD:
                return false;
            case TarHeader.DIRECTORY:
                return true;
            case '1':
                throw refuse(e.name(), "is a hard link; checkpoint archives hold only regular files and directories");
            case '2':
                throw refuse(e.name(), "is a symbolic link; checkpoint archives hold only regular files and directories");
            case '3':
            case '4':
                throw refuse(e.name(), "is a device; checkpoint archives hold only regular files and directories");
            case '6':
                throw refuse(e.name(), "is a fifo; checkpoint archives hold only regular files and directories");
            default:
                throw refuse(e.name(), "has unsupported tar entry type " + MemberPath.quote(String.valueOf(e.type()))
                        + "; checkpoint archives hold only regular files and directories");
        }
    }

    private static String kind(ArchiveManifest.Member m) {
        return m.directory() ? "directory" : "file";
    }

    private static CheckpointArchiveException refuse(String member, String what) {
        return new CheckpointArchiveException("member " + MemberPath.quote(member) + " " + what, member, null);
    }
}
