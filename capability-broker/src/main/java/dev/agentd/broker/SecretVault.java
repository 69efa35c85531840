package dev.agentd.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets encrypted at rest in the broker's database ({@code broker_secrets}) with AES-256-GCM: a
 * random 12-byte nonce per value and the secret's name as associated data, so a row copied under
 * another name fails to decrypt instead of revealing the wrong secret. The key lives in a separate
 * file, so a copy of the database alone reveals nothing.
 *
 * <p>Plaintexts are kept in memory while the vault is open: the {@link #scrubber()} must know every
 * value to remove it from text. Open one vault per broker.
 */
public final class SecretVault {
    /** AES-256. */
    static final int KEY_BYTES = 32;
    /** 96-bit nonces are GCM's native size (NIST SP 800-38D, 8.2). */
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_VALUE_BYTES = 64 * 1024;
    /**
     * Values shorter than this are not scrubbed. Replacing every "a" or "42" in a text would wreck
     * the text and, worse, the pattern of replacements would itself spell out where the secret
     * occurs, i.e. reveal it; and a secret of 3 bytes or fewer is guessable anyway.
     */
    static final int MIN_SCRUB_BYTES = 4;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Broker broker;
    private final Database db;
    private final Events events;
    private final Path keyFile;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    /** Plaintexts by name. Guarded by the broker's lock; replaced only after a commit. */
    private final Map<String, byte[]> values = new HashMap<>();
    /** What the scrubber looks for, rebuilt after each change; read without the lock. */
    private volatile Needles needles = Needles.EMPTY;

    private SecretVault(Broker broker, Path keyFile, byte[] key) {
        this.broker = broker;
        this.db = broker.database();
        this.events = broker.events();
        this.keyFile = keyFile;
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * Opens the vault on the broker's database with the key in {@code keyFile}, creating the key
     * (32 random bytes, mode 0600) if the file does not exist.
     *
     * @throws BrokerException if the key file is readable or writable by group or others, is not a
     *                         regular file, has the wrong size, or does not decrypt the stored
     *                         secrets
     */
    public static SecretVault open(Path keyFile, Broker broker) {
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(broker, "broker");
        SecretVault v = new SecretVault(broker, keyFile, loadOrCreateKey(keyFile));
        v.loadAll();
        return v;
    }

    static byte[] loadOrCreateKey(Path keyFile) {
        try {
            if (Files.notExists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
                createKey(keyFile);
            }
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(keyFile, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException e) {
                throw new BrokerException("key file " + keyFile + " is on a file system without POSIX permissions;"
                        + " its mode cannot be checked, so it is refused");
            }
            if (a.isSymbolicLink()) {
                // Whoever controls the link's target controls the key; refuse rather than follow.
                throw new BrokerException("key file " + keyFile + " is a symbolic link: expected a regular file");
            }
            if (!a.isRegularFile()) {
                throw new BrokerException("key file " + keyFile + " is not a regular file");
            }
            Set<PosixFilePermission> loose = EnumSet.copyOf(a.permissions());
            loose.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            if (!loose.isEmpty()) {
                // Read access leaks every secret; write access lets someone swap in a key they know.
                throw new BrokerException("key file " + keyFile + " has mode " + PosixFilePermissions.toString(a.permissions())
                        + ": group and others must have no access (expected rw-------; run chmod 600 " + keyFile + ")");
            }
            if (a.size() != KEY_BYTES) {
                throw new BrokerException("key file " + keyFile + " is " + a.size() + " bytes: expected " + KEY_BYTES
                        + " (an AES-256 key)");
            }
            byte[] key = Files.readAllBytes(keyFile);
            if (key.length != KEY_BYTES) {
                throw new BrokerException("key file " + keyFile + " changed while being read");
            }
            return key;
        } catch (IOException e) {
            throw new BrokerException("cannot read key file " + keyFile + ": " + e, e);
        }
    }

    private static void createKey(Path keyFile) throws IOException {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        // CREATE_NEW with the mode given at creation: the file is never readable by others, not
        // even between creating it and a chmod.
        try (SeekableByteChannel ch = Files.newByteChannel(keyFile,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            ByteBuffer b = ByteBuffer.wrap(key);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (ch instanceof java.nio.channels.FileChannel fc) {
                fc.force(true);
            }
        } catch (FileAlreadyExistsException raced) {
            // Another opener created it first; use theirs.
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    private void loadAll() {
        db.read(() -> {
            try (PreparedStatement p = db.connection().prepareStatement("SELECT name, nonce, ciphertext FROM broker_secrets");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    values.put(name, decrypt(name, rs.getBytes(2), rs.getBytes(3)));
                }
            }
            rebuildNeedles();
            return null;
        });
    }

    /**
     * Stores (or replaces) a secret.
     *
     * @throws IllegalArgumentException if the name is not a valid {@code secret:} grant value or the
     *                                  value is empty or larger than 64 KiB
     */
    public void set(String name, byte[] value) {
        String n = Values.normalize(GrantKind.SECRET, Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(value, "value");
        if (value.length == 0 || value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("secret \"" + n + "\" is " + value.length + " bytes: expected 1.."
                    + MAX_VALUE_BYTES);
        }
        byte[] copy = value.clone();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ciphertext = crypt(Cipher.ENCRYPT_MODE, n, nonce, copy);
        db.write("set secret " + n, () -> {
            boolean replaced = values.containsKey(n);
            try (PreparedStatement p = db.connection().prepareStatement(
                    "INSERT OR REPLACE INTO broker_secrets (name, nonce, ciphertext, updated_at) VALUES (?,?,?,?)")) {
                p.setString(1, n);
                p.setBytes(2, nonce);
                p.setBytes(3, ciphertext);
                p.setString(4, broker.clock().instant().toString());
                p.executeUpdate();
            }
            events.emit(BrokerEvent.Type.SECRET_SET, null, Events.details("name", n, "replaced", Boolean.toString(replaced)));
            db.onCommit(() -> {
                values.put(n, copy);
                rebuildNeedles();
            });
            return null;
        });
    }

    /** The names of the stored secrets, sorted. Never the values. */
    public List<String> names() {
        return db.read(() -> List.copyOf(new TreeMap<>(values).keySet()));
    }

    /** Removes a secret; false if there was none by that name. */
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return db.write("delete secret " + name, () -> {
            int n;
            try (PreparedStatement p = db.connection().prepareStatement("DELETE FROM broker_secrets WHERE name = ?")) {
                p.setString(1, name);
                n = p.executeUpdate();
            }
            if (n == 0) {
                return false;
            }
            events.emit(BrokerEvent.Type.SECRET_DELETED, null, Events.details("name", name));
            db.onCommit(() -> {
                byte[] old = values.remove(name);
                if (old != null) {
                    java.util.Arrays.fill(old, (byte) 0);
                }
                rebuildNeedles();
            });
            return true;
        });
    }

    /**
     * A secret for agentd's own use on an agent's behalf, where root-owned
     * configuration names it (an LLM provider's API key): no grant of the
     * agent's is consumed, and the agent still never sees the value. Audited as
     * a use by the daemon for that agent.
     */
    public Optional<byte[]> revealForDaemon(String agentId, String name) {
        return db.write("reveal secret for the daemon", () -> {
            byte[] v = name == null ? null : values.get(name);
            if (v == null) {
                return Optional.<byte[]>empty();
            }
            events.emit(BrokerEvent.Type.SECRET_USED, agentId, Events.details("name", name, "grant", "daemon"));
            return Optional.of(v.clone());
        });
    }

    /**
     * The secret's value, if the agent holds a live {@code secret: NAME} grant; consumes one
     * invocation on the grant's chain exactly like {@link Broker#authorize}. Empty (and nothing
     * consumed) if there is no such secret. The caller owns the returned copy and should zero it.
     */
    public Optional<byte[]> reveal(String agentId, String name) {
        boolean known = db.read(() -> name != null && values.containsKey(name));
        if (!known) {
            return db.write("reveal secret", () -> {
                events.emit(BrokerEvent.Type.DENIED, agentId, Events.details("kind", GrantKind.SECRET.key(),
                        "value", name == null ? "" : Values.printable(name),
                        "reason", "no secret \"" + (name == null ? "" : Values.printable(name)) + "\" in the vault"));
                return Optional.<byte[]>empty();
            });
        }
        // The decision is the broker's fast path (memory, counter locks); the use of the value is a
        // write of its own, audited before the value leaves. A secret deleted in between was spent
        // for nothing: an invocation may be lost, never gained.
        Decision d = broker.authorize(agentId, GrantKind.SECRET, name);
        if (!(d instanceof Decision.Allowed allowed)) {
            return Optional.empty();
        }
        return db.write("reveal secret", () -> {
            byte[] v = values.get(name);
            if (v == null) {
                return Optional.<byte[]>empty();
            }
            events.emit(BrokerEvent.Type.SECRET_USED, agentId, Events.details("name", name,
                    "grant", Long.toString(allowed.grant().id())));
            return Optional.of(v.clone());
        });
    }

    /**
     * A scrubber that always uses the vault's current secrets (also those set after this call).
     * Replaces each value of at least {@value #MIN_SCRUB_BYTES} bytes, as UTF-8 text and as
     * standard base64 (padded and unpadded), with {@code [secret:NAME]}. Not covered: other
     * encodings (hex, URL-safe base64, percent-encoding) and base64 of a longer string that merely
     * contains the secret (e.g. HTTP Basic credentials), whose alignment differs.
     */
    public Scrubber scrubber() {
        return text -> needles.scrub(text);
    }

    /** The key file this vault was opened with. */
    public Path keyFile() {
        return keyFile;
    }

    private byte[] decrypt(String name, byte[] nonce, byte[] ciphertext) {
        try {
            return crypt(Cipher.DECRYPT_MODE, name, nonce, ciphertext);
        } catch (BrokerException e) {
            throw new BrokerException("secret \"" + name + "\" in " + broker.dbFile() + " cannot be decrypted with key file "
                    + keyFile + ": wrong key file, or the row was altered", e.getCause());
        }
    }

    private byte[] crypt(int mode, String name, byte[] nonce, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new BrokerException("AES-GCM " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                    + " of secret \"" + name + "\" failed: " + e, e);
        }
    }

    /** Must run under the broker's lock (it reads {@link #values}). */
    private void rebuildNeedles() {
        List<Needle> list = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            byte[] v = e.getValue();
            if (v.length < MIN_SCRUB_BYTES) {
                continue;
            }
            String marker = "[secret:" + e.getKey() + "]";
            utf8(v).ifPresent(t -> list.add(new Needle(t, marker)));
            String b64 = Base64.getEncoder().encodeToString(v);
            list.add(new Needle(b64, marker));
            String unpadded = Base64.getEncoder().withoutPadding().encodeToString(v);
            if (!unpadded.equals(b64)) {
                list.add(new Needle(unpadded, marker));
            }
        }
        needles = new Needles(list);
    }

    private static Optional<String> utf8(byte[] v) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v));
            return Optional.of(c.toString());
        } catch (CharacterCodingException e) {
            return Optional.empty(); // binary secret: only its base64 can appear in text
        }
    }

    private record Needle(String text, String marker) {}

    /** Needles indexed by first character, longest first, so a secret containing another is replaced whole. */
    private static final class Needles {
        static final Needles EMPTY = new Needles(List.of());
        private final Map<Character, List<Needle>> byFirst = new HashMap<>();

        Needles(List<Needle> all) {
            List<Needle> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparingInt((Needle n) -> -n.text().length()).thenComparing(Needle::text));
            for (Needle n : sorted) {
                byFirst.computeIfAbsent(n.text().charAt(0), k -> new ArrayList<>()).add(n);
            }
        }

        String scrub(String text) {
            if (text == null || byFirst.isEmpty()) {
                return text;
            }
            StringBuilder out = null;
            int copied = 0;
            int i = 0;
            // One left-to-right pass: a replacement is never scanned again, so one secret's value
            // cannot match inside another's [secret:NAME] marker.
            while (i < text.length()) {
                List<Needle> candidates = byFirst.get(text.charAt(i));
                Needle hit = null;
                if (candidates != null) {
                    for (Needle n : candidates) {
                        if (text.startsWith(n.text(), i)) {
                            hit = n;
                            break;
                        }
                    }
                }
                if (hit == null) {
                    i++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, i).append(hit.marker());
                i += hit.text().length();
                copied = i;
            }
            return out == null ? text : out.append(text, copied, text.length()).toString();
        }
    }
}
