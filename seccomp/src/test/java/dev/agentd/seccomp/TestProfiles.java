package dev.agentd.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The Docker fixture, read from the test class path. */
final class TestProfiles {
    private TestProfiles() {}

    static SeccompProfile docker() {
        try (InputStream in = TestProfiles.class.getResourceAsStream("/docker-default.json")) {
            return SeccompProfile.read(in, "docker-default.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ProfileException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static SeccompProfile parse(String json) {
        try {
            return SeccompProfile.parse(json);
        } catch (ProfileException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static BpfProgram compile(SeccompProfile p, Target t) {
        try {
            return Seccomp.compile(p, t).program();
        } catch (CompileException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
