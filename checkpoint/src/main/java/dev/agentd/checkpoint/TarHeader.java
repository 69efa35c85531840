package dev.agentd.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The 512-byte POSIX ustar header, and pax extended-header records for what does
 * not fit in it (paths longer than the name and prefix fields, sizes of 8 GiB and
 * more). Only what checkpoint archives need: no owners, no times, no links.
 */
final class TarHeader {

    static final int BLOCK = 512;
    static final char REGULAR = '0';
    /** Pre-POSIX tars mark regular files with NUL. */
    static final char REGULAR_OLD = '\0';
    static final char DIRECTORY = '5';
    static final char PAX = 'x';

    /** The largest size the 11 octal digits of the size field hold (8 GiB - 1). */
    static final long MAX_OCTAL_SIZE = 077777777777L;

    private static final int NAME = 0, NAME_LEN = 100;
    private static final int MODE = 100, UID = 108, GID = 116, SIZE = 124, MTIME = 136;
    private static final int CHKSUM = 148, CHKSUM_LEN = 8, TYPE = 156;
    private static final int MAGIC = 257, VERSION = 263, DEVMAJOR = 329, DEVMINOR = 337;
    private static final int PREFIX = 345, PREFIX_LEN = 155;
    private static final byte[] POSIX_MAGIC = {'u', 's', 't', 'a', 'r', 0};
    private static final byte[] GNU_MAGIC = {'u', 's', 't', 'a', 'r', ' '};

    /** The facts of a decoded header. {@code name} is prefix and name joined. */
    record Fields(String name, char type, long size) {
    }

    private TarHeader() {
    }

    /** Bytes of zero padding after {@code size} bytes of member data. */
    static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    /** Whether {@code name} fits the ustar name and prefix fields. */
    static boolean fitsUstar(String name) {
        return ustarSplit(name.getBytes(StandardCharsets.UTF_8)).isPresent();
    }

    /**
     * A header for {@code name}. Every numeric field the reader does not need is
     * zero (uid, gid, mtime) so that the same checkpoint always gives the same
     * bytes. A name that does not fit is truncated here: the caller precedes such
     * a header with a pax {@code path} record, which readers use instead. A size
     * beyond {@link #MAX_OCTAL_SIZE} is written in GNU base-256, also after a pax
     * {@code size} record.
     */
    static byte[] encode(String name, char type, long size, int mode) {
        byte[] b = new byte[BLOCK];
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        Optional<Integer> split = ustarSplit(utf8);
        if (split.isPresent()) {
            int slash = split.get();
            if (slash < 0) {
                System.arraycopy(utf8, 0, b, NAME, utf8.length);
            } else {
                System.arraycopy(utf8, 0, b, PREFIX, slash);
                System.arraycopy(utf8, slash + 1, b, NAME, utf8.length - slash - 1);
            }
        } else {
            byte[] cut = truncate(name, NAME_LEN);
            System.arraycopy(cut, 0, b, NAME, cut.length);
        }
        octal(b, MODE, 8, mode);
        octal(b, UID, 8, 0);
        octal(b, GID, 8, 0);
        if (size <= MAX_OCTAL_SIZE) {
            octal(b, SIZE, 12, size);
        } else {
            base256(b, SIZE, 12, size);
        }
        octal(b, MTIME, 12, 0);
        b[TYPE] = (byte) type;
        System.arraycopy(POSIX_MAGIC, 0, b, MAGIC, POSIX_MAGIC.length);
        b[VERSION] = '0';
        b[VERSION + 1] = '0';
        octal(b, DEVMAJOR, 8, 0);
        octal(b, DEVMINOR, 8, 0);
        Arrays.fill(b, CHKSUM, CHKSUM + CHKSUM_LEN, (byte) ' ');
        long sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        // Six digits, NUL, space: the traditional layout every tar reads.
        octal(b, CHKSUM, 7, sum);
        b[CHKSUM + 7] = ' ';
        return b;
    }

    /**
     * Decodes and checks one header block (which must not be all zeros).
     *
     * @param offset where the block starts in the archive, for messages
     * @throws CheckpointArchiveException on a bad checksum, a missing ustar magic,
     *         a name that is not UTF-8, or an unreadable size
     */
    static Fields decode(byte[] b, long offset) throws CheckpointArchiveException {
        String claimed = lenientName(b);
        long stored = parseOctal(b, CHKSUM, CHKSUM_LEN);
        // Some old tars summed signed bytes; accepting both costs nothing.
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte x = i >= CHKSUM && i < CHKSUM + CHKSUM_LEN ? (byte) ' ' : b[i];
            unsigned += x & 0xff;
            signed += x;
        }
        if (stored < 0 || (stored != unsigned && stored != signed)) {
            throw new CheckpointArchiveException("bad header checksum at byte offset " + offset + " (member "
                    + MemberPath.quote(claimed) + "): the archive is corrupt", claimed, null);
        }
        boolean posix = Arrays.equals(b, MAGIC, MAGIC + 6, POSIX_MAGIC, 0, 6);
        if (!posix && !Arrays.equals(b, MAGIC, MAGIC + 6, GNU_MAGIC, 0, 6)) {
            throw new CheckpointArchiveException("header at byte offset " + offset
                    + " is not a ustar header: this is not a checkpoint archive written by agentd", claimed, null);
        }
        String name = utf8Field(b, NAME, NAME_LEN, offset);
        // GNU tar keeps times where POSIX has the prefix.
        String prefix = posix ? utf8Field(b, PREFIX, PREFIX_LEN, offset) : "";
        String full = prefix.isEmpty() ? name : prefix + "/" + name;
        long size = parseSize(b);
        if (size < 0) {
            throw new CheckpointArchiveException("header at byte offset " + offset + " (member "
                    + MemberPath.quote(full) + ") has an unreadable size field: the archive is corrupt", full, null);
        }
        return new Fields(full, (char) (b[TYPE] & 0xff), size);
    }

    /**
     * Pax records ({@code "LEN key=value\n"}, LEN counting the whole record
     * including its own digits), in the map's order.
     */
    static byte[] paxRecords(Map<String, String> records) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> r : records.entrySet()) {
            String body = " " + r.getKey() + "=" + r.getValue() + "\n";
            int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
            int len = bodyLen + 1;
            while (len != bodyLen + Integer.toString(len).length()) {
                len = bodyLen + Integer.toString(len).length();
            }
            out.append(len).append(body);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses pax records; later keys win, as in pax. */
    static Map<String, String> parsePax(byte[] data, long offset) throws CheckpointArchiveException {
        Map<String, String> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            long len = 0;
            while (space < data.length && data[space] >= '0' && data[space] <= '9' && len < data.length) {
                len = len * 10 + (data[space] - '0');
                space++;
            }
            if (space == pos || space >= data.length || data[space] != ' '
                    || pos + len > data.length || len <= space - pos + 1 || data[(int) (pos + len - 1)] != '\n') {
                throw new CheckpointArchiveException("malformed pax header at byte offset " + offset
                        + ": the archive is corrupt");
            }
            String record = decodeUtf8(data, space + 1, (int) (pos + len - 1 - space - 1), offset);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new CheckpointArchiveException("malformed pax record at byte offset " + offset
                        + ": the archive is corrupt");
            }
            records.put(record.substring(0, eq), record.substring(eq + 1));
            pos += (int) len;
        }
        return records;
    }

    /**
     * Where to split a UTF-8 name between prefix and name field: -1 when the whole
     * name fits the name field, the index of the splitting '/' otherwise, empty when
     * it does not fit at all. The shortest prefix that works is used.
     */
    private static Optional<Integer> ustarSplit(byte[] utf8) {
        if (utf8.length <= NAME_LEN) {
            return Optional.of(-1);
        }
        for (int i = 0; i < utf8.length && i <= PREFIX_LEN; i++) {
            int rest = utf8.length - i - 1;
            if (utf8[i] == '/' && i > 0 && rest > 0 && rest <= NAME_LEN) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** At most {@code max} bytes of the UTF-8 form of {@code s}, not splitting a character. */
    private static byte[] truncate(String s, int max) {
        ByteBuffer out = ByteBuffer.allocate(max);
        StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(s), out, true);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** {@code len - 1} zero-padded octal digits and a NUL. */
    private static void octal(byte[] b, int off, int len, long value) {
        String digits = Long.toOctalString(value);
        int width = len - 1;
        if (digits.length() > width) {
            throw new IllegalArgumentException("value " + value + " does not fit " + width + " octal digits");
        }
        for (int i = 0; i < width; i++) {
            int d = i - (width - digits.length());
            b[off + i] = (byte) (d < 0 ? '0' : digits.charAt(d));
        }
        b[off + width] = 0;
    }

    /** GNU base-256: high bit of the first byte set, then the value big-endian. */
    private static void base256(byte[] b, int off, int len, long value) {
        Arrays.fill(b, off, off + len, (byte) 0);
        for (int i = off + len - 1; i > off; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        b[off] = (byte) 0x80;
    }

    /** The size field, octal or base-256; -1 when unreadable. */
    private static long parseSize(byte[] b) {
        if ((b[SIZE] & 0x80) != 0) {
            if (b[SIZE] != (byte) 0x80 || b[SIZE + 1] != 0 || b[SIZE + 2] != 0 || b[SIZE + 3] != 0) {
                return -1; // negative or beyond a long
            }
            long v = 0;
            for (int i = SIZE + 4; i < SIZE + 12; i++) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v < 0 ? -1 : v;
        }
        return parseOctal(b, SIZE, 12);
    }

    /** Octal digits, optionally space-led, ended by NUL or space or the field end; -1 when malformed. */
    private static long parseOctal(byte[] b, int off, int len) {
        int i = off, end = off + len;
        while (i < end && b[i] == ' ') {
            i++;
        }
        int start = i;
        long v = 0;
        while (i < end && b[i] >= '0' && b[i] <= '7') {
            if (v > (Long.MAX_VALUE >> 3)) {
                return -1;
            }
            v = (v << 3) | (b[i] - '0');
            i++;
        }
        if (i == start && start < end && b[start] != 0) {
            return -1;
        }
        for (; i < end; i++) {
            if (b[i] != 0 && b[i] != ' ') {
                return -1;
            }
        }
        return v;
    }

    private static String utf8Field(byte[] b, int off, int len, long offset) throws CheckpointArchiveException {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return decodeUtf8(b, off, end - off, offset);
    }

    private static String decodeUtf8(byte[] b, int off, int len, long offset) throws CheckpointArchiveException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointArchiveException("header at byte offset " + offset
                    + " has a name that is not valid UTF-8: the archive is corrupt", e);
        }
    }

    /** The name as best we can read it, for messages about a header we are refusing. */
    private static String lenientName(byte[] b) {
        int end = 0;
        while (end < NAME_LEN && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
