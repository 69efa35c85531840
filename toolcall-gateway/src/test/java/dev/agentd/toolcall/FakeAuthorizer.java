package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/** A broker stand-in: tool grants by name, authorize() denials on demand, approvals by a predicate. */
final class FakeAuthorizer implements Authorizer {
    final Set<String> granted = ConcurrentHashMap.newKeySet();
    /** authorize(TOOL, name) answers Denied(reason) for these, though check() allows them (an exhausted grant). */
    final Map<String, String> exhausted = new ConcurrentHashMap<>();
    final AtomicInteger authorizeCalls = new AtomicInteger();
    final List<String> approvalRequests = new CopyOnWriteArrayList<>();
    volatile Set<String> needsApproval = Set.of();
    /** (tool, argsSha256) → approved? */
    volatile BiPredicate<String, String> approver = (t, sha) -> true;
    final Map<String, byte[]> secrets = new ConcurrentHashMap<>();

    FakeAuthorizer grant(String... tools) {
        granted.addAll(List.of(tools));
        return this;
    }

    static Grant grantFor(GrantKind kind, String value) {
        return new Grant(1, "agent-1", kind, value, OptionalLong.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), false);
    }

    @Override
    public Decision check(GrantKind kind, String value) {
        return kind == GrantKind.TOOL && granted.contains(value) ? Decision.allowed(grantFor(kind, value))
                : Decision.denied("no grant for " + kind.key() + " \"" + value + "\"");
    }

    @Override
    public Decision authorize(GrantKind kind, String value) {
        authorizeCalls.incrementAndGet();
        String why = exhausted.get(value);
        if (kind == GrantKind.TOOL && why != null) {
            return Decision.denied(why);
        }
        return check(kind, value);
    }

    @Override
    public List<Grant> grants(GrantKind kind) {
        List<Grant> out = new ArrayList<>();
        if (kind == GrantKind.TOOL) {
            granted.forEach(t -> out.add(grantFor(kind, t)));
        }
        return out;
    }

    @Override
    public Optional<byte[]> revealSecret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public ApprovalGate approvals() {
        return new ApprovalGate() {
            @Override
            public boolean required(String tool, JsonNode arguments) {
                return needsApproval.contains(tool);
            }

            @Override
            public boolean awaitApproval(String tool, String argsSha256, String preview, Duration timeout) {
                approvalRequests.add(tool + " " + argsSha256 + " " + preview);
                return approver.test(tool, argsSha256);
            }
        };
    }
}
