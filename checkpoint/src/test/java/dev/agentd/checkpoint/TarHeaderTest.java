package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TarHeaderTest {

    @Test
    void shortNameRoundTrips() throws Exception {
        byte[] h = TarHeader.encode("images/core-1.img", TarHeader.REGULAR, 12345, 0600);
        assertEquals(TarHeader.BLOCK, h.length);
        assertEquals(new TarHeader.Fields("images/core-1.img", '0', 12345), TarHeader.decode(h, 0));
        assertEquals("ustar\0", new String(h, 257, 6, StandardCharsets.US_ASCII));
        assertEquals("0000600\0", new String(h, 100, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void checksumIsSixOctalDigitsNulSpace() {
        byte[] h = TarHeader.encode("a", TarHeader.DIRECTORY, 0, 0700);
        long sum = 0;
        for (int i = 0; i < h.length; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        assertEquals(String.format("%06o", sum) + "\0 ", new String(h, 148, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void longPathUsesPrefixField() throws Exception {
        String name = "images/" + "d".repeat(120) + "/" + "f".repeat(90);
        assertTrue(TarHeader.fitsUstar(name));
        byte[] h = TarHeader.encode(name, TarHeader.REGULAR, 1, 0600);
        assertEquals(name, TarHeader.decode(h, 0).name());
        assertEquals("images/" + "d".repeat(120), new String(h, 345, 127, StandardCharsets.US_ASCII));
    }

    @Test
    void nameThatCannotBeSplitDoesNotFit() {
        assertFalse(TarHeader.fitsUstar("images/" + "x".repeat(101)));
        assertFalse(TarHeader.fitsUstar("p".repeat(156) + "/short"));
        assertTrue(TarHeader.fitsUstar("x".repeat(100)));
    }

    @Test
    void hugeSizeUsesBase256() throws Exception {
        long tenGiB = 10L << 30;
        byte[] h = TarHeader.encode("images/pages-1.img", TarHeader.REGULAR, tenGiB, 0600);
        assertEquals((byte) 0x80, h[124]);
        assertEquals(tenGiB, TarHeader.decode(h, 0).size());
        assertEquals(TarHeader.MAX_OCTAL_SIZE,
                TarHeader.decode(TarHeader.encode("x", TarHeader.REGULAR, TarHeader.MAX_OCTAL_SIZE, 0600), 0).size());
    }

    @Test
    void corruptHeaderIsRefusedWithItsOffset() {
        byte[] h = TarHeader.encode("images/core-1.img", TarHeader.REGULAR, 1, 0600);
        h[3] ^= 1;
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class, () -> TarHeader.decode(h, 1536));
        assertTrue(e.getMessage().startsWith("bad header checksum at byte offset 1536"), e.getMessage());
    }

    @Test
    void nonUstarHeaderIsRefused() {
        byte[] h = TarHeader.encode("a", TarHeader.REGULAR, 1, 0600);
        h[257] = 'X';
        h[148] = 0; // recompute the checksum so only the magic is wrong
        long sum = 0;
        for (int i = 0; i < h.length; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        byte[] chk = (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 8);
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class, () -> TarHeader.decode(h, 0));
        assertTrue(e.getMessage().contains("not a ustar header"), e.getMessage());
    }

    @Test
    void paxRecordLengthsCountThemselves() throws Exception {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("path", "images/" + "é".repeat(60));
        in.put("size", "12884901888");
        in.put("x", "y".repeat(90)); // 90 + " x=\n" = 94, plus 2 digits = 96; a record near the 2->3 digit edge
        byte[] records = TarHeader.paxRecords(in);
        assertEquals(in, TarHeader.parsePax(records, 0));
        assertTrue(new String(records, StandardCharsets.UTF_8).contains("\n96 x="), new String(records, StandardCharsets.UTF_8));
        assertEquals("8 a=bcd\n", new String(TarHeader.paxRecords(Map.of("a", "bcd")), StandardCharsets.UTF_8));
        assertEquals("9 a=bcde\n", new String(TarHeader.paxRecords(Map.of("a", "bcde")), StandardCharsets.UTF_8));
        // 9 bytes of body: 10 would need two digits, so the record is 11.
        assertEquals("11 a=bcdef\n", new String(TarHeader.paxRecords(Map.of("a", "bcdef")), StandardCharsets.UTF_8));
    }

    @Test
    void malformedPaxIsRefused() {
        for (String bad : new String[] {"5 a=b\n", "x a=b\n", "7 ab\n\n", "99 a=b\n"}) {
            assertThrows(CheckpointArchiveException.class,
                    () -> TarHeader.parsePax(bad.getBytes(StandardCharsets.UTF_8), 0), bad);
        }
    }

    @Test
    void writerAndReaderAgreeOnPaxNamesAndSizes() throws Exception {
        String longName = "images/" + "n".repeat(180);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.beginFile(longName, 3);
        w.write(new byte[] {1, 2, 3}, 0, 3);
        w.endFile();
        // A pax size overriding the ustar size field, as written for files of 8 GiB and more.
        byte[] pax = TarHeader.paxRecords(Map.of("size", "5"));
        out.writeBytes(TarHeader.encode("PaxHeader", TarHeader.PAX, pax.length, 0600));
        out.writeBytes(pax);
        out.writeBytes(new byte[TarHeader.padding(pax.length)]);
        out.writeBytes(TarHeader.encode("images/big", TarHeader.REGULAR, 0, 0600));
        out.writeBytes(new byte[] {9, 9, 9, 9, 9});
        out.writeBytes(new byte[TarHeader.padding(5)]);
        w.finish();

        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        TarReader.Entry first = r.next();
        assertEquals(longName, first.name());
        byte[] data = new byte[10];
        assertEquals(3, r.read(data, 0, 10));
        assertEquals(-1, r.read(data, 0, 10));
        TarReader.Entry second = r.next();
        assertEquals("images/big", second.name());
        assertEquals(5, second.size());
        assertEquals(5, r.read(data, 0, 10));
        assertArrayEquals(new byte[] {9, 9, 9, 9, 9}, java.util.Arrays.copyOf(data, 5));
        assertNull(r.next());
    }

    @Test
    void emptyStreamIsNotAnArchive() {
        CheckpointArchiveException e = assertThrows(CheckpointArchiveException.class,
                () -> new TarReader(new ByteArrayInputStream(new byte[0])).next());
        assertEquals("archive is empty", e.getMessage());
    }
}
