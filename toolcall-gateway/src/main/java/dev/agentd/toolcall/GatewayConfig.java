package dev.agentd.toolcall;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * One agent's gateway: who the agent is and where its socket lives. Built with
 * {@link #builder(String, Path, int)}.
 *
 * @param agentId              the agent this socket belongs to; every call is attributed to it
 * @param socketPath           created by the gateway (mode 0600, owned by {@code agentUid}); its
 *                             directory must exist and should not be writable by agents
 * @param agentUid             the only uid allowed to connect ({@code SO_PEERCRED})
 * @param peerPidInAgentCgroup when present, the peer's pid must also satisfy it (agentd passes
 *                             "pid is in the agent's cgroup"); needs a {@code peerCredentials} reader that
 *                             {@linkplain PeerCredentialsReader#reportsPid() reports pids}
 * @param limits               see {@link GatewayLimits}
 * @param redactor             applied to every string of a result, to argument previews and to error texts
 *                             before they leave the gateway (agentd passes the vault's scrubber, which
 *                             replaces secret values with {@code [secret:NAME]}); identity by default
 * @param peerCredentials      how peer credentials are read; {@link PeerCredentialsReader#platformDefault()} by
 *                             default (with the pid when the JVM allows it)
 * @param serverVersion        {@code serverInfo.version} in the initialize answer
 */
public record GatewayConfig(String agentId, Path socketPath, int agentUid, Optional<IntPredicate> peerPidInAgentCgroup,
                            GatewayLimits limits, Function<String, String> redactor,
                            PeerCredentialsReader peerCredentials, String serverVersion) {

    public GatewayConfig {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(peerPidInAgentCgroup, "peerPidInAgentCgroup");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(redactor, "redactor");
        Objects.requireNonNull(peerCredentials, "peerCredentials");
        Objects.requireNonNull(serverVersion, "serverVersion");
        if (agentId.isEmpty()) {
            throw new IllegalArgumentException("agentId is empty");
        }
        if (agentUid < 0) {
            throw new IllegalArgumentException("agentUid must be >= 0, got " + agentUid);
        }
        if (!socketPath.isAbsolute()) {
            throw new IllegalArgumentException("socketPath must be absolute, got " + socketPath);
        }
        if (peerPidInAgentCgroup.isPresent() && !peerCredentials.reportsPid()) {
            // Fail closed and loudly: silently skipping the pid check would leave a
            // security control unset while agentd believes it is on.
            throw new IllegalArgumentException("peerPidInAgentCgroup needs a PeerCredentialsReader that reports the peer pid; "
                    + peerCredentials + " gives the uid only (the JDK's SO_PEERCRED option has no pid; "
                    + "PeerCredentialsReader.KERNEL needs the JVM flag " + dev.agentd.linux.SocketPeer.JVM_FLAG + ")");
        }
    }

    public static Builder builder(String agentId, Path socketPath, int agentUid) {
        return new Builder(agentId, socketPath, agentUid);
    }

    public static final class Builder {
        private final String agentId;
        private final Path socketPath;
        private final int agentUid;
        private IntPredicate peerPidInAgentCgroup;
        private GatewayLimits limits = GatewayLimits.defaults();
        private Function<String, String> redactor = Function.identity();
        private PeerCredentialsReader peerCredentials = PeerCredentialsReader.platformDefault();
        private String serverVersion = Gateway.SERVER_VERSION;

        private Builder(String agentId, Path socketPath, int agentUid) {
            this.agentId = agentId;
            this.socketPath = socketPath;
            this.agentUid = agentUid;
        }

        public Builder peerPidInAgentCgroup(IntPredicate p) { peerPidInAgentCgroup = p; return this; }
        public Builder limits(GatewayLimits v) { limits = v; return this; }
        public Builder redactor(Function<String, String> v) { redactor = v; return this; }
        public Builder peerCredentials(PeerCredentialsReader v) { peerCredentials = v; return this; }
        public Builder serverVersion(String v) { serverVersion = v; return this; }

        public GatewayConfig build() {
            return new GatewayConfig(agentId, socketPath, agentUid, Optional.ofNullable(peerPidInAgentCgroup), limits,
                    redactor, peerCredentials, serverVersion);
        }
    }
}
