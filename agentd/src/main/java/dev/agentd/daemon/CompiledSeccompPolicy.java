package dev.agentd.daemon;

import dev.agentd.manifest.SeccompChoice;
import dev.agentd.seccomp.CompileException;
import dev.agentd.seccomp.ProfileException;
import dev.agentd.seccomp.Seccomp;
import dev.agentd.seccomp.SeccompProfile;
import dev.agentd.seccomp.SeccompProfiles;
import dev.agentd.seccomp.Target;
import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Compiles with the {@code seccomp} module for this machine: its architecture,
 * its kernel version, and no capabilities (agents hold none, so profile
 * entries conditioned on a capability are left out). The built-in profile is
 * compiled once.
 */
final class CompiledSeccompPolicy implements SeccompPolicy {
    private final Target target = Target.current();
    private volatile byte[] agentDefault;

    @Override
    public byte[] compile(SeccompChoice choice) throws IOException {
        try {
            if (choice.isDefault()) {
                byte[] d = agentDefault;
                if (d == null) {
                    d = bytes(SeccompProfiles.agentDefault());
                    agentDefault = d;
                }
                return d;
            }
            return bytes(SeccompProfile.read(choice.profile().get()));
        } catch (ProfileException | CompileException e) {
            throw new IllegalArgumentException("seccomp profile " + choice + ": " + e.getMessage(), e);
        }
    }

    private byte[] bytes(SeccompProfile profile) throws CompileException {
        return Seccomp.compile(profile, target).program().toBytes(ByteOrder.nativeOrder());
    }
}
