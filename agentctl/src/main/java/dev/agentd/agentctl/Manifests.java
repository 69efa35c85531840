package dev.agentd.agentctl;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a manifest file for {@code spawn} and {@code run}. */
final class Manifests {
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
            return Files.readString(file);
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
