package dev.agentd.agentctl;

import java.nio.file.Path;

/**
 * A command that sends a manifest file; lets the error handler name that file
 * in manifest errors that do not carry one.
 */
interface ManifestSource {
    /** Absolute path of the manifest the command sent. */
    Path manifestFile();
}
