package dev.agentd.daemon;

import dev.agentd.manifest.SeccompChoice;
import java.io.IOException;

/** Compiles an agent's seccomp choice to the BPF bytes the spawner installs. */
interface SeccompPolicy {
    /**
     * @throws IOException when a profile file cannot be read
     * @throws IllegalArgumentException when a profile is invalid, with a message naming where
     */
    byte[] compile(SeccompChoice choice) throws IOException;
}
