package dev.agentd.manifest;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code seccomp} setting: agentd's built-in default filter, or an OCI JSON profile file.
 * The parser resolves a relative profile path against the manifest file's directory; it does
 * not read the profile (the spawner does, when the agent starts).
 *
 * @param profile empty for the built-in default; otherwise an absolute, normalized path
 */
public record SeccompChoice(Optional<Path> profile) {

    /** {@code seccomp: default}. */
    public static final SeccompChoice DEFAULT = new SeccompChoice(Optional.empty());

    public SeccompChoice {
        Objects.requireNonNull(profile, "profile");
        profile = profile.map(p -> {
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException("seccomp profile path must be absolute: " + p);
            }
            return p.normalize();
        });
    }

    /** An OCI JSON profile at an absolute path. */
    public static SeccompChoice profile(Path file) {
        return new SeccompChoice(Optional.of(file));
    }

    /** True for the built-in default filter. */
    public boolean isDefault() {
        return profile.isEmpty();
    }

    @Override
    public String toString() {
        return profile.map(Path::toString).orElse("default");
    }
}
