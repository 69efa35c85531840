package dev.agentd.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX tar stream of directories and regular files. Names that do not
 * fit ustar and sizes of 8 GiB or more get a pax extended header first (CRIU's
 * page images of a large process exceed 8 GiB).
 *
 * <p>Usage: {@link #directory}, or {@link #beginFile} then {@link #write} exactly
 * {@code size} bytes then {@link #endFile}; finally {@link #finish}. Does not close
 * the stream.
 */
final class TarWriter {

    static final int FILE_MODE = 0600;
    static final int DIRECTORY_MODE = 0700;

    private final OutputStream out;
    private String openFile;
    private long openFileSize;
    private long openFileRemaining;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** A directory entry; {@code name} without the trailing '/'. */
    void directory(String name) throws IOException {
        requireNoOpenFile();
        header(name + "/", TarHeader.DIRECTORY, 0, DIRECTORY_MODE);
    }

    /** Starts a regular file of exactly {@code size} bytes. */
    void beginFile(String name, long size) throws IOException {
        requireNoOpenFile();
        header(name, TarHeader.REGULAR, size, FILE_MODE);
        openFile = name;
        openFileSize = size;
        openFileRemaining = size;
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (openFile == null || len > openFileRemaining) {
            throw new IllegalStateException("write of " + len + " bytes beyond the declared size of " + openFile);
        }
        out.write(b, off, len);
        openFileRemaining -= len;
    }

    void endFile() throws IOException {
        if (openFile == null || openFileRemaining != 0) {
            throw new IllegalStateException(openFile + " ended " + openFileRemaining + " bytes short of its declared size");
        }
        out.write(new byte[TarHeader.padding(openFileSize)]);
        openFile = null;
    }

    /** The end-of-archive marker: two zero blocks. */
    void finish() throws IOException {
        requireNoOpenFile();
        out.write(new byte[2 * TarHeader.BLOCK]);
        out.flush();
    }

    private void header(String name, char type, long size, int mode) throws IOException {
        Map<String, String> pax = new LinkedHashMap<>();
        if (!TarHeader.fitsUstar(name)) {
            pax.put("path", name);
        }
        if (size > TarHeader.MAX_OCTAL_SIZE) {
            pax.put("size", Long.toString(size));
        }
        if (!pax.isEmpty()) {
            byte[] records = TarHeader.paxRecords(pax);
            out.write(TarHeader.encode("PaxHeader", TarHeader.PAX, records.length, FILE_MODE));
            out.write(records);
            out.write(new byte[TarHeader.padding(records.length)]);
        }
        out.write(TarHeader.encode(name, type, size, mode));
    }

    private void requireNoOpenFile() {
        if (openFile != null) {
            throw new IllegalStateException(openFile + " was not ended");
        }
    }
}
