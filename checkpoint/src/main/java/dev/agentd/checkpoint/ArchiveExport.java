package dev.agentd.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@link CheckpointArchive#export}: one checkpoint directory into one tar file, all or nothing. */
final class ArchiveExport {

    /** A file or directory of the checkpoint, with its member path. */
    private record Source(String member, Path path, boolean directory, long size) {
    }

    private ArchiveExport() {
    }

    static String export(Path checkpointDir, Map<String, ?> catalogEntry, Path archiveFile,
                         CheckpointArchive.Progress progress) throws IOException {
        if (!Files.isDirectory(checkpointDir)) {
            throw new CheckpointArchiveException("cannot export " + checkpointDir + ": not a directory");
        }
        byte[] catalog = catalogJson(catalogEntry);
        List<Source> sources = new ArrayList<>();
        collect(checkpointDir, MemberPath.IMAGES, sources);

        Path target = archiveFile.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointArchiveException(target + " already exists: choose another file name or remove it first");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CheckpointArchiveException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        long total = catalog.length + sources.stream().mapToLong(Source::size).sum();
        ProgressMeter meter = new ProgressMeter(progress, total);

        // Written beside the target and renamed into place: a reader never sees half
        // an archive, and a failure leaves nothing behind.
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial", ArchiveFiles.OWNER_ONLY_FILE);
        try {
            String manifestSha256;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                manifestSha256 = write(new TarWriter(out), catalog, sources, meter);
                out.flush();
                channel.force(true);
            }
            meter.finish();
            publish(temp, target);
            ArchiveFiles.forceDirectory(dir);
            return manifestSha256;
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static String write(TarWriter tar, byte[] catalog, List<Source> sources, ProgressMeter meter)
            throws IOException {
        List<ArchiveManifest.Member> members = new ArrayList<>();
        tar.beginFile(MemberPath.CATALOG, catalog.length);
        tar.write(catalog, 0, catalog.length);
        tar.endFile();
        meter.advance(catalog.length);
        members.add(ArchiveManifest.Member.file(MemberPath.CATALOG, catalog.length, Sha256.hex(catalog)));

        tar.directory(MemberPath.IMAGES);
        members.add(ArchiveManifest.Member.directory(MemberPath.IMAGES));
        byte[] buf = new byte[1 << 16];
        for (Source s : sources) {
            if (s.directory()) {
                tar.directory(s.member());
                members.add(ArchiveManifest.Member.directory(s.member()));
            } else {
                members.add(ArchiveManifest.Member.file(s.member(), s.size(), copy(s, tar, buf, meter)));
            }
        }

        byte[] manifest = new ArchiveManifest(members).toJson();
        tar.beginFile(MemberPath.MANIFEST, manifest.length);
        tar.write(manifest, 0, manifest.length);
        tar.endFile();
        tar.finish();
        return Sha256.hex(manifest);
    }

    /** Copies one file into the archive; returns its sha256. */
    private static String copy(Source s, TarWriter tar, byte[] buf, ProgressMeter meter) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        // NOFOLLOW_LINKS: the file was a regular file when listed; refuse it if it became a link since.
        try (InputStream in = Files.newInputStream(s.path(), LinkOption.NOFOLLOW_LINKS)) {
            tar.beginFile(s.member(), s.size());
            long copied = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                if (copied + n > s.size()) {
                    throw changed(s, "it grew beyond " + s.size() + " bytes");
                }
                digest.update(buf, 0, n);
                tar.write(buf, 0, n);
                copied += n;
                meter.advance(n);
            }
            if (copied != s.size()) {
                throw changed(s, "it shrank from " + s.size() + " to " + copied + " bytes");
            }
            tar.endFile();
        }
        return Sha256.hex(digest);
    }

    private static CheckpointArchiveException changed(Source s, String how) {
        return new CheckpointArchiveException(s.path() + " changed while it was being exported (" + how
                + "): export a checkpoint that nothing is writing to", s.member(), null);
    }

    /** Lists a directory tree, depth first, names sorted, refusing anything but files and directories. */
    private static void collect(Path dir, String prefix, List<Source> out) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (Path child : children) {
            String member = prefix + "/" + child.getFileName();
            BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String problem = MemberPath.problem(member, a.isDirectory());
            if (problem != null) {
                throw new CheckpointArchiveException("cannot export " + MemberPath.quote(child.toString()) + ": " + problem,
                        member, null);
            }
            if (a.isSymbolicLink()) {
                throw new CheckpointArchiveException("cannot export " + child
                        + ": it is a symbolic link, and checkpoint archives hold only regular files and directories",
                        member, null);
            }
            if (a.isDirectory()) {
                out.add(new Source(member, child, true, 0));
                collect(child, member, out);
            } else if (a.isRegularFile()) {
                out.add(new Source(member, child, false, a.size()));
            } else {
                throw new CheckpointArchiveException("cannot export " + child
                        + ": it is a device, fifo or socket, and checkpoint archives hold only regular files and directories",
                        member, null);
            }
        }
    }

    private static byte[] catalogJson(Map<String, ?> catalogEntry) {
        try {
            return ArchiveManifest.JSON.writeValueAsBytes(catalogEntry);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("catalog entry cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Moves the finished archive to its name without ever replacing a file. A hard
     * link fails atomically if the name exists (rename would silently replace it);
     * where hard links are not supported, fall back to check-then-rename.
     */
    private static void publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointArchiveException(target + " was created by someone else while exporting: "
                    + "choose another file name or remove it first", e);
        } catch (IOException | UnsupportedOperationException noHardLinks) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new CheckpointArchiveException(target + " was created by someone else while exporting: "
                        + "choose another file name or remove it first");
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        try {
            Files.delete(temp);
        } catch (IOException ignored) {
            // The archive is in place; a leftover second name for it is harmless.
        }
    }
}
