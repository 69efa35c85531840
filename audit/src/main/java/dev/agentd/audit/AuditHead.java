package dev.agentd.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The newest committed record's sequence number and hash, kept outside the
 * database so that deleting the tail of the table is noticed. One line of
 * fixed length, {@code SEQ(20 digits) HASH(64 hex) CRC32(8 hex)\n}, rewritten
 * in place after every committed batch.
 *
 * <p>Why in place and not write-and-rename: a rename per batch costs a
 * directory update each time, and the line is small enough not to need it.
 * The line is {@value #LENGTH} bytes at offset 0, so it lies in the file's
 * first disk sector and page. One {@code pwrite} of it reaches the page cache
 * whole or not at all as far as a killed process is concerned (a signal
 * cannot stop a write half-way through copying one page), which is the
 * crash the audit log promises to survive (the database runs with
 * {@code synchronous=NORMAL}, which also keeps every transaction through a
 * process crash and may lose the last ones on power loss; the head gets the
 * same: no fsync). Should a torn line still be found (power loss on a device
 * without atomic sector writes), its CRC does not match and verification
 * says the head is unreadable: it fails closed, never reads a half-written
 * head as a shorter log.
 *
 * <p>The head is written only after its batch committed, so the table never
 * ends before the head unless rows were deleted; it may end after it (a
 * batch committed, agentd killed before the head write), and the next batch
 * moves the head past those rows.
 */
final class AuditHead implements AutoCloseable {
    static final int LENGTH = 20 + 1 + 64 + 1 + 8 + 1;
    private static final Pattern LINE = Pattern.compile("(\\d{20}) ([0-9a-f]{64}) ([0-9a-f]{8})\n");
    /** The format before this class: {@code SEQ HASH\n}, no CRC, written with write-and-rename. */
    private static final Pattern OLD_LINE = Pattern.compile("(\\d+) ([0-9a-f]{64})\\s*");

    /** A head as read: where the log ended when it was written. */
    record Position(long seq, String hash) {}

    private final Path file;
    private FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(LENGTH);

    private AuditHead(Path file) {
        this.file = file;
    }

    static AuditHead open(Path file) {
        return new AuditHead(file);
    }

    /**
     * The head, or empty when there is no file yet.
     *
     * @throws IOException when the file exists but holds no valid head (torn, edited)
     */
    static Optional<Position> read(Path file) throws IOException {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String s = new String(b, StandardCharsets.US_ASCII);
        Matcher m = LINE.matcher(s);
        if (m.matches()) {
            String body = m.group(1) + " " + m.group(2);
            if (!crc(body).equals(m.group(3))) {
                throw new IOException("the head file " + file + " is damaged (its checksum does not match)");
            }
            return Optional.of(new Position(Long.parseLong(m.group(1)), m.group(2)));
        }
        Matcher old = OLD_LINE.matcher(s);
        if (old.matches()) {
            return Optional.of(new Position(Long.parseLong(old.group(1)), old.group(2)));
        }
        throw new IOException("the head file " + file + " is damaged (expected \"SEQ HASH CRC\", got "
                + b.length + " bytes)");
    }

    /**
     * The head as this process last wrote it, read under the same monitor as
     * {@link #write}: a read of the file concurrent with an in-place write
     * could otherwise see half of each line (reads do not wait for writes to
     * a file) and take a live log for a damaged head.
     */
    synchronized Optional<Position> read() throws IOException {
        return read(file);
    }

    /**
     * Records {@code seq} and {@code hash} as the newest committed record.
     * Only the holder of the log's commit lock calls this. A channel an
     * interrupt closed (a leader is a caller's thread) is opened again.
     */
    synchronized void write(long seq, String hash) throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = openForRewrite();
        }
        String digits = Long.toString(seq); // a commit's path: no Formatter for "%020d"
        String body = "0".repeat(Math.max(0, 20 - digits.length())) + digits + " " + hash;
        buf.clear();
        buf.put((body + " " + crc(body) + "\n").getBytes(StandardCharsets.US_ASCII));
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf, buf.position());
        }
    }

    /**
     * The channel to rewrite in place. A file of another length (none yet, or
     * the old format) is replaced once by write-and-rename with the current
     * head's line, so that from then on every in-place write covers the whole file.
     */
    private FileChannel openForRewrite() throws IOException {
        if (!Files.exists(file) || Files.size(file) != LENGTH) {
            Optional<Position> cur = Files.exists(file) ? read(file) : Optional.empty();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            String body = String.format(Locale.ROOT, "%020d %s", cur.map(Position::seq).orElse(0L),
                    cur.map(Position::hash).orElse(AuditChain.GENESIS));
            Files.writeString(tmp, body + " " + crc(body) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return FileChannel.open(file, StandardOpenOption.WRITE);
    }

    private static String crc(String body) {
        CRC32 c = new CRC32();
        c.update(body.getBytes(StandardCharsets.US_ASCII));
        String hex = Long.toHexString(c.getValue());
        return "0".repeat(8 - hex.length()) + hex;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
