package dev.agentd.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reading a file an admin client named by path (agent.spawn's {@code path}).
 *
 * <p>Such a path is whatever the client typed: {@code /dev/zero} would have
 * agentd read until its heap is gone, a FIFO would block the admin thread
 * for good. So only regular files are read (after symbolic links, which a
 * manifest kept under version control often is), and never more than a
 * bound: the size is checked first and the read stops at the bound anyway,
 * in case the file grows or is swapped between the check and the read.
 */
final class ClientFiles {
    /** The largest manifest read from a file: as large as one sent inline on a request line. */
    static final int MAX_MANIFEST_BYTES = 1 << 20;

    private ClientFiles() {}

    /**
     * The UTF-8 text of the manifest at {@code file}.
     *
     * @throws AgentdException (invalid params) naming the file and what is
     *         wrong: missing, unreadable, not a regular file, larger than
     *         {@link #MAX_MANIFEST_BYTES}, not UTF-8
     */
    static String readManifest(Path file) throws AgentdException {
        return readText(file, "manifest", MAX_MANIFEST_BYTES);
    }

    static String readText(Path file, String what, int maxBytes) throws AgentdException {
        String cannot = "cannot read " + what + " " + file + ": ";
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                throw new AgentdException(AgentdException.INVALID_PARAMS, cannot + "not a regular file ("
                        + kind(attrs) + "); agentd reads " + what + "s from regular files only");
            }
            if (attrs.size() > maxBytes) {
                throw tooLarge(cannot, maxBytes);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(maxBytes + 1);
            }
            if (bytes.length > maxBytes) {
                throw tooLarge(cannot, maxBytes);
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, cannot + "no such file");
        } catch (AccessDeniedException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, cannot + "permission denied");
        } catch (CharacterCodingException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, cannot + "not UTF-8 text");
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, cannot + e);
        }
    }

    private static AgentdException tooLarge(String cannot, int maxBytes) {
        return new AgentdException(AgentdException.INVALID_PARAMS, cannot + "larger than the limit of "
                + maxBytes / 1024 + " KiB (" + maxBytes + " bytes)");
    }

    private static String kind(BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        // Devices and FIFOs are "other" to the JDK.
        return attrs.isOther() ? "a device, FIFO or socket" : "not a plain file";
    }
}
