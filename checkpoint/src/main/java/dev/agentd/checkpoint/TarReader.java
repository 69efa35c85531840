package dev.agentd.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Reads a tar stream entry by entry, checking its structure as it goes: header
 * checksums, truncation, the end-of-archive marker and nothing but zeros after
 * it. Pax {@code path} and {@code size} records are applied to the entry they
 * precede. What entries are acceptable is the caller's policy.
 */
final class TarReader {

    /** One member: its name as stored (directories keep their trailing '/'). */
    record Entry(String name, char type, long size, long offset) {
    }

    /** Our pax headers hold one path; anything near this is not ours. */
    private static final int MAX_PAX_BYTES = 1 << 20;

    private final InputStream in;
    private long position;
    private String lastName;
    private long remaining;
    private long entrySize;
    private int padding;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** Bytes consumed from the stream so far. */
    long position() {
        return position;
    }

    /**
     * The next entry, skipping whatever of the current one was not read, or
     * {@code null} at a well-formed end of archive.
     */
    Entry next() throws IOException {
        skipRestOfEntry();
        Map<String, String> pax = null;
        long paxOffset = -1;
        while (true) {
            long offset = position;
            byte[] block = readHeaderBlock(offset);
            if (isZeros(block)) {
                if (pax != null) {
                    throw new CheckpointArchiveException("pax header at byte offset " + paxOffset
                            + " is not followed by a member: the archive is corrupt");
                }
                readEndOfArchive();
                return null;
            }
            TarHeader.Fields h = TarHeader.decode(block, offset);
            if (h.type() == TarHeader.PAX) {
                if (pax != null || h.size() > MAX_PAX_BYTES) {
                    throw new CheckpointArchiveException("unexpected pax header at byte offset " + offset
                            + ": the archive is corrupt or was not written by agentd");
                }
                byte[] data = new byte[(int) h.size()];
                readFully(data, data.length, "a pax header at byte offset " + offset);
                readFully(new byte[TarHeader.padding(h.size())], TarHeader.padding(h.size()),
                        "a pax header at byte offset " + offset);
                pax = TarHeader.parsePax(data, offset);
                paxOffset = offset;
                continue;
            }
            String name = pax == null ? h.name() : pax.getOrDefault("path", h.name());
            long size = pax == null || !pax.containsKey("size") ? h.size() : paxSize(pax.get("size"), name, offset);
            lastName = name;
            entrySize = size;
            remaining = carriesData(h.type()) ? size : 0;
            padding = TarHeader.padding(remaining);
            return new Entry(name, h.type(), size, offset);
        }
    }

    /**
     * Reads data of the current entry; -1 at its end.
     *
     * @throws CheckpointArchiveException when the archive ends inside the entry
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new CheckpointArchiveException("archive is truncated: member " + MemberPath.quote(lastName)
                    + " ends after " + (entrySize - remaining) + " of " + entrySize
                    + " bytes (was the copy interrupted?)", lastName, null);
        }
        remaining -= n;
        position += n;
        return n;
    }

    private void skipRestOfEntry() throws IOException {
        byte[] scratch = new byte[64 * 1024];
        while (read(scratch, 0, scratch.length) >= 0) {
            // Read rather than skip(): only reading notices a truncated archive.
        }
        if (padding > 0) {
            readFully(new byte[padding], padding, "the padding of member " + MemberPath.quote(lastName));
            padding = 0;
        }
    }

    private byte[] readHeaderBlock(long offset) throws IOException {
        byte[] block = new byte[TarHeader.BLOCK];
        int n = readUpTo(block);
        if (n == 0) {
            throw new CheckpointArchiveException(lastName == null
                    ? "archive is empty"
                    : "archive is truncated: it ends after member " + MemberPath.quote(lastName)
                            + " without the end-of-archive marker (was the copy interrupted?)");
        }
        if (n < block.length) {
            throw new CheckpointArchiveException("archive is truncated inside the header at byte offset " + offset
                    + " (was the copy interrupted?)");
        }
        return block;
    }

    /** The second zero block, then nothing but zeros (tar pads to its record size). */
    private void readEndOfArchive() throws IOException {
        byte[] block = new byte[TarHeader.BLOCK];
        long offset = position;
        if (readUpTo(block) < block.length) {
            throw new CheckpointArchiveException("archive is truncated inside the end-of-archive marker"
                    + " (was the copy interrupted?)");
        }
        if (!isZeros(block)) {
            throw new CheckpointArchiveException("a zero block is followed by data at byte offset " + offset
                    + ": the archive is corrupt");
        }
        for (int n; (n = in.read(block)) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (block[i] != 0) {
                    throw new CheckpointArchiveException("unexpected data after the end-of-archive marker at byte offset "
                            + (position + i) + ": the archive was modified after export");
                }
            }
            position += n;
        }
    }

    private void readFully(byte[] b, int len, String what) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(b, done, len - done);
            if (n < 0) {
                throw new CheckpointArchiveException("archive is truncated inside " + what
                        + " (was the copy interrupted?)", lastName, null);
            }
            done += n;
            position += n;
        }
    }

    /** Fills {@code b} unless the stream ends; returns how much was read. */
    private int readUpTo(byte[] b) throws IOException {
        int done = 0;
        while (done < b.length) {
            int n = in.read(b, done, b.length - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        position += done;
        return done;
    }

    /** Links, devices, fifos and directories have no data records whatever their size field says. */
    private static boolean carriesData(char type) {
        return type < '1' || type > '6';
    }

    private static long paxSize(String value, String name, long offset) throws CheckpointArchiveException {
        try {
            long size = Long.parseLong(value);
            if (size >= 0) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CheckpointArchiveException("member " + MemberPath.quote(name) + " at byte offset " + offset
                + " has an unreadable pax size \"" + value + "\": the archive is corrupt", name, null);
    }

    private static boolean isZeros(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
