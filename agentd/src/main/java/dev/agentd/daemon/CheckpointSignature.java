package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes a checkpoint tamper-evident across machines: an HMAC-SHA256, keyed by
 * the checkpoint key, over its catalog entry and the SHA-256 of every file.
 * Machines that should accept each other's checkpoints share the key file
 * ({@code checkpoint.key} beside {@code secrets.key}); an archive rewritten
 * consistently (files and its MANIFEST.json) still fails here.
 */
public final class CheckpointSignature {
    /** The signature's file in a checkpoint directory (and so in its archive). */
    public static final String FILE = "SIGNATURE";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int KEY_BYTES = 32;

    private CheckpointSignature() {}

    /** The checkpoint key file of an agentd whose secrets key is {@code secretsKey}. */
    public static Path keyFile(Path secretsKey) {
        return secretsKey.resolveSibling("checkpoint.key");
    }

    /** Writes {@link #FILE} into {@code dir}, creating the key (root only) on first use. */
    public static void sign(Path dir, ObjectNode catalogEntry, Path keyFile) throws IOException {
        Files.writeString(dir.resolve(FILE), "hmac-sha256 " + hmac(dir, catalogEntry, key(keyFile, true)) + "\n");
    }

    /**
     * Checks {@link #FILE} in {@code dir}.
     *
     * @throws IOException saying what is wrong: no signature, no key here, or a mismatch
     */
    public static void verify(Path dir, ObjectNode catalogEntry, Path keyFile) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the checkpoint is not signed (no " + FILE + "): only archives exported by an agentd"
                    + " holding this machine's checkpoint key are accepted");
        }
        if (!Files.exists(keyFile)) {
            throw new IOException("no checkpoint key here (" + keyFile + "): copy the exporting machine's checkpoint.key"
                    + " there to accept its checkpoints");
        }
        String want = Files.readString(f).strip();
        String got = "hmac-sha256 " + hmac(dir, catalogEntry, key(keyFile, false));
        if (!MessageDigest.isEqual(want.getBytes(StandardCharsets.US_ASCII), got.getBytes(StandardCharsets.US_ASCII))) {
            throw new IOException("the checkpoint's signature does not match its content: it was changed after export,"
                    + " or exported with another checkpoint key than " + keyFile);
        }
    }

    private static String hmac(Path dir, ObjectNode catalogEntry, byte[] key) throws IOException {
        ObjectNode entry = catalogEntry.deepCopy();
        entry.remove(List.of("origin", "path"));
        StringBuilder text = new StringBuilder("agentd checkpoint v1\ncatalog ")
                .append(sha256(new ObjectMapper().writeValueAsBytes(sorted(entry))))
                .append('\n');
        List<String> lines = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(FILE)) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    lines.add("dir " + rel);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    lines.add("file " + rel + " " + sha256(p));
                } else {
                    lines.add("other " + rel);
                }
            }
        }
        lines.sort(null);
        lines.forEach(l -> text.append(l).append('\n'));
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IOException("HMAC-SHA256 unavailable: " + e.getMessage(), e);
        }
    }

    /** The same JSON with every object's fields in name order: one byte sequence per value. */
    private static com.fasterxml.jackson.databind.JsonNode sorted(com.fasterxml.jackson.databind.JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            for (String name : names) {
                o.set(name, sorted(n.get(name)));
            }
            return o;
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = new ObjectMapper().createArrayNode();
            n.forEach(x -> a.add(sorted(x)));
            return a;
        }
        return n.isMissingNode() ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : n;
    }

    private static byte[] key(Path keyFile, boolean create) throws IOException {
        if (create && !Files.exists(keyFile)) {
            Files.createDirectories(keyFile.getParent());
            byte[] k = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(k);
            try {
                Files.write(keyFile, k, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another thread made it first
            }
        }
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length < 16) {
            throw new IOException("checkpoint key " + keyFile + " is " + k.length + " bytes: expected at least 16");
        }
        return k;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
