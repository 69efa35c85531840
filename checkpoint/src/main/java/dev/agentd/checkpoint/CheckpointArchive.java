package dev.agentd.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A checkpoint as one file, for moving it to another host: a POSIX tar holding
 * {@code catalog.json} (the checkpoint's catalog entry), the CRIU images under
 * {@code images/}, and last {@code MANIFEST.json} listing every other member's
 * path, size and sha256.
 *
 * <p>The sha256 of the manifest, returned by both {@link #export} and
 * {@link #importTo}, identifies the archive's whole content: import accepts an
 * archive only if every member matches the manifest exactly. Users compare the
 * two values out of band to detect tampering; corruption in transit is caught
 * either way.
 *
 * <p>Both directions are all or nothing: export writes a temporary file beside the
 * target and renames it into place; import extracts into a temporary directory
 * beside the destination and renames it into place after verification. After a
 * failure neither leaves anything behind. Files are created owner-only (images
 * hold process memory). Any standard {@code tar} can list or extract the archive.
 */
public final class CheckpointArchive {

    /** Receives progress of a long export or import, about once per MiB and once at the end. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytesDone bytes processed so far
         * @param bytesTotal for export, the bytes of all files; for import, the archive's size
         */
        void update(long bytesDone, long bytesTotal);
    }

    /**
     * The result of an import.
     *
     * @param imagesDir the CRIU images, to pass to {@code criu restore -D}
     * @param catalogEntry the catalog entry given to {@link #export}
     * @param manifestSha256 the sha256 of {@code MANIFEST.json}, as {@link #export} returned it
     */
    public record Imported(Path imagesDir, JsonNode catalogEntry, String manifestSha256) {
    }

    private static final Progress NO_PROGRESS = (done, total) -> { };

    private CheckpointArchive() {
    }

    /** {@link #export(Path, Map, Path, Progress)} without progress reports. */
    public static String export(Path checkpointDir, Map<String, ?> catalogEntry, Path archiveFile) throws IOException {
        return export(checkpointDir, catalogEntry, archiveFile, NO_PROGRESS);
    }

    /**
     * Writes {@code checkpointDir} and {@code catalogEntry} to a new archive file.
     * Members are sorted by name and carry no owners or times, so the same
     * checkpoint always gives the same bytes.
     *
     * @param checkpointDir the CRIU images directory; only regular files and
     *        directories are allowed in it
     * @param catalogEntry written as {@code catalog.json}; must be serialisable by
     *        a plain Jackson {@code ObjectMapper}
     * @param archiveFile must not exist; its directory must
     * @return the sha256 (lowercase hex) of the archive's {@code MANIFEST.json}
     * @throws CheckpointArchiveException when the checkpoint holds a symbolic link,
     *         device or unsuitable name, a file changes while being read, or the
     *         archive file exists
     * @throws IllegalArgumentException when {@code catalogEntry} cannot be written as JSON
     * @throws IOException on other I/O failures; nothing is left behind
     */
    public static String export(Path checkpointDir, Map<String, ?> catalogEntry, Path archiveFile, Progress progress)
            throws IOException {
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        Objects.requireNonNull(catalogEntry, "catalogEntry");
        Objects.requireNonNull(archiveFile, "archiveFile");
        Objects.requireNonNull(progress, "progress");
        try {
            return ArchiveExport.export(checkpointDir, catalogEntry, archiveFile, progress);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointArchiveException("export of " + checkpointDir + " to " + archiveFile + " failed: "
                    + describe(e), e);
        }
    }

    /** {@link #importTo(Path, Path, Progress)} without progress reports. */
    public static Imported importTo(Path archiveFile, Path destDir) throws IOException {
        return importTo(archiveFile, destDir, NO_PROGRESS);
    }

    /**
     * Verifies an archive and extracts it into a new directory: {@code destDir/catalog.json},
     * {@code destDir/images/...}, {@code destDir/MANIFEST.json}.
     *
     * @param destDir must not exist; its parent must
     * @throws CheckpointArchiveException naming the member and the fault when the
     *         archive is truncated, has a bad header checksum, a path outside the
     *         archive layout ({@code ..}, absolute), a link or device entry, a
     *         duplicate member, a member not listed in its manifest or listed but
     *         missing, a size or sha256 mismatch, or no {@code catalog.json} or
     *         {@code MANIFEST.json}; also when {@code destDir} exists
     * @throws IOException on other I/O failures; nothing is left behind
     */
    public static Imported importTo(Path archiveFile, Path destDir, Progress progress) throws IOException {
        Objects.requireNonNull(archiveFile, "archiveFile");
        Objects.requireNonNull(destDir, "destDir");
        Objects.requireNonNull(progress, "progress");
        try {
            return ArchiveImport.importTo(archiveFile, destDir, progress);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointArchiveException("import of " + archiveFile + " into " + destDir + " failed: "
                    + describe(e), e);
        }
    }

    /** An I/O failure as "path: reason" rather than NIO's bare path or class name. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            String reason = f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
            return (f.getFile() == null ? "" : f.getFile() + ": ") + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
