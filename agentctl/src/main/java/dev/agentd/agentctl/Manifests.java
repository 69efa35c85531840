package dev.agentd.agentctl;

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

/** Reads a manifest file for {@code spawn} and {@code run}. */
final class Manifests {
    /** The largest manifest agentd takes, inline on a request line or from a file. */
    static final int MAX_BYTES = 1 << 20;

    private Manifests() {}

    /**
     * The file's text, UTF-8 as YAML requires.
     *
     * @throws CliException (usage error) saying why the file cannot be sent:
     *         failing here, before connecting, keeps a typo from reaching agentd
     */
    static String read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": is a directory");
            }
            // A pipe is fine (agentctl spawn <(generate-manifest)), but read a
            // bounded amount: agentctl spawn /dev/zero must fail, not fill the heap.
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": larger than the limit of "
                        + MAX_BYTES / 1024 + " KiB (" + MAX_BYTES + " bytes)");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read manifest " + file + ": " + e.getMessage());
        }
    }
}
