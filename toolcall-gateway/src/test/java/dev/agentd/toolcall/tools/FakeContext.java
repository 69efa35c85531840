package dev.agentd.toolcall.tools;

import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.ToolContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link ToolContext} backed by a list of grants, with the broker's coverage
 * rules ({@code /x/**} covers {@code /x} and below, {@code /x} only itself;
 * {@code net: host} any port of host, {@code host:port} that port) and a record
 * of every authorization and reveal, so tests can assert what was consumed.
 */
class FakeContext implements ToolContext {
    private final List<Grant> grants = new ArrayList<>();
    private final Map<String, byte[]> vault = new HashMap<>();
    final List<String> authorized = Collections.synchronizedList(new ArrayList<>());
    final List<String> revealed = Collections.synchronizedList(new ArrayList<>());
    /** When set, every authorize is denied with this reason (a revoked or exhausted grant). */
    volatile String denyAll;

    FakeContext grant(GrantKind kind, String value) {
        grants.add(new Grant(grants.size() + 1, "agent-1", kind, value, OptionalLong.empty(), Optional.empty(),
                Optional.empty(), OptionalLong.empty(), false));
        return this;
    }

    FakeContext secret(String name, String value) {
        vault.put(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return this;
    }

    @Override
    public synchronized Decision authorize(GrantKind kind, String value) {
        // Like the broker: only an allowed call consumes (and is recorded here).
        if (denyAll != null) {
            return Decision.denied(denyAll);
        }
        for (Grant g : grants) {
            if (g.kind() == kind && covers(kind, g.value(), value)) {
                authorized.add(kind.key() + ": " + value);
                return Decision.allowed(g);
            }
        }
        return Decision.denied("no grant for " + kind.key() + " \"" + value + "\"");
    }

    @Override
    public List<Grant> grants(GrantKind kind) {
        return grants.stream().filter(g -> g.kind() == kind).toList();
    }

    @Override
    public Optional<byte[]> revealSecret(String name) {
        revealed.add(name);
        boolean granted = grants.stream().anyMatch(g -> g.kind() == GrantKind.SECRET && g.value().equals(name));
        byte[] v = vault.get(name);
        return granted && v != null ? Optional.of(v.clone()) : Optional.empty();
    }

    static boolean covers(GrantKind kind, String held, String asked) {
        switch (kind) {
            case FILE_READ:
            case FILE_WRITE:
                if (held.endsWith("/**")) {
                    String base = held.substring(0, held.length() - 3);
                    return asked.equals(base.isEmpty() ? "/" : base) || asked.startsWith(base + "/");
                }
                return held.equals(asked);
            case NET:
                boolean heldPort = held.lastIndexOf(':') > held.lastIndexOf(']');
                String askedHost = asked.lastIndexOf(':') > asked.lastIndexOf(']')
                        ? asked.substring(0, asked.lastIndexOf(':')) : asked;
                return held.equals(asked) || (!heldPort && askedHost.equals(held));
            default:
                return held.equals(asked);
        }
    }
}
