package dev.agentd.daemon;

import dev.agentd.broker.Broker;
import dev.agentd.broker.BrokerEvent;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.GrantRequest;
import dev.agentd.broker.Principal;
import dev.agentd.broker.Rate;
import dev.agentd.broker.SecretVault;
import dev.agentd.manifest.Expiry;
import dev.agentd.manifest.Grant;
import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.PathGrant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * agentd's side of the capability broker: turns manifests into grants,
 * registers and forgets agents, and audits what the broker reports.
 *
 * <p>The manifest's {@code filesystem} grants are also tool grants
 * ({@code read} → {@code file_read}, {@code write} → {@code file_write}), and
 * the sandbox's mount view and Landlock rules come from the same lists: what
 * an agent cannot open through a tool it cannot open directly either.
 */
final class Capabilities implements AutoCloseable {
    private final Broker broker;
    private final SecretVault vault;

    private Capabilities(Broker broker, SecretVault vault) {
        this.broker = broker;
        this.vault = vault;
    }

    /**
     * The broker keeps its own SQLite file: it audits each change inside its
     * write transaction (so nothing commits unaudited), and the audit log's
     * own write would otherwise wait on that very transaction's lock.
     */
    static Capabilities open(DaemonConfig cfg, Audit audit) {
        Broker b = Broker.open(cfg.stateDir().resolve("broker.db"), Clock.systemUTC(), e -> audit(audit, e));
        return new Capabilities(b, SecretVault.open(cfg.secretsKey(), b));
    }

    /** Broker events worth a record of their own; a tool call's own record covers its authorization. */
    private static void audit(Audit audit, BrokerEvent e) {
        if (e.type() == BrokerEvent.Type.AUTHORIZED || e.type() == BrokerEvent.Type.DENIED) {
            return;
        }
        audit.record(null, e.agentId().orElse(null), "broker." + e.type().name().toLowerCase(java.util.Locale.ROOT),
                new LinkedHashMap<>(e.details()));
    }

    Broker broker() {
        return broker;
    }

    SecretVault vault() {
        return vault;
    }

    /** Registers a top-level agent with the grants its manifest asks for, on behalf of {@code adminUid}. */
    void register(String agentId, Manifest m, int adminUid, Instant start) {
        if (broker.isRegistered(agentId)) {
            return; // a restart of the same agent keeps its grants and counters
        }
        broker.registerAgent(agentId, null, Principal.admin(adminUid), requests(m, start));
    }

    /** Registers a child agent: only a subset of what the parent holds ({@link dev.agentd.broker.DelegationException} otherwise). */
    void registerChild(String agentId, String parentId, Manifest m, Instant start) {
        broker.registerAgent(agentId, parentId, Principal.agent(parentId), requests(m, start));
    }

    void forget(String agentId) {
        if (broker.isRegistered(agentId)) {
            broker.forgetAgent(agentId);
        }
    }

    /** The broker grants a manifest asks for. */
    static List<GrantRequest> requests(Manifest m, Instant start) {
        List<GrantRequest> out = new ArrayList<>();
        for (Grant g : m.capabilities()) {
            GrantRequest r = GrantRequest.of(GrantKind.valueOf(g.kind().name()), g.value());
            OptionalLong max = g.constraints().maxInvocations();
            if (max.isPresent()) {
                r = r.withMaxInvocations(max.getAsLong());
            }
            if (g.constraints().rate().isPresent()) {
                dev.agentd.manifest.Rate mr = g.constraints().rate().get();
                r = r.withRate(new Rate(mr.count(), mr.per()));
            }
            if (g.constraints().expires().isPresent()) {
                Expiry e = g.constraints().expires().get();
                r = r.withExpiresAt(e.deadline(start));
            }
            out.add(r);
        }
        Map<String, GrantKind> files = new LinkedHashMap<>();
        for (PathGrant p : m.filesystem().read()) {
            files.putIfAbsent(p.toString(), GrantKind.FILE_READ);
        }
        for (PathGrant p : m.filesystem().exec()) {
            files.putIfAbsent(p.toString(), GrantKind.FILE_READ);
        }
        List<GrantRequest> derived = new ArrayList<>();
        files.forEach((path, kind) -> derived.add(GrantRequest.of(kind, path)));
        for (PathGrant p : m.filesystem().write()) {
            derived.add(GrantRequest.of(GrantKind.FILE_READ, p.toString()));
            derived.add(GrantRequest.of(GrantKind.FILE_WRITE, p.toString()));
        }
        for (GrantRequest d : derived) {
            if (out.stream().noneMatch(r -> r.kind() == d.kind() && r.value().equals(d.value()))) {
                out.add(d);
            }
        }
        return out;
    }

    /** The file grants of a manifest's capabilities, which also become part of the sandbox's view. */
    static List<PathGrant> capabilityPaths(Manifest m, dev.agentd.manifest.GrantKind kind) {
        List<PathGrant> out = new ArrayList<>();
        for (Grant g : m.capabilities()) {
            if (g.kind() == kind) {
                String v = g.value();
                boolean subtree = v.endsWith("/**");
                out.add(new PathGrant(Path.of(subtree ? (v.length() == 3 ? "/" : v.substring(0, v.length() - 3)) : v), subtree));
            }
        }
        return out;
    }

    @Override
    public void close() {
        broker.close();
    }
}
