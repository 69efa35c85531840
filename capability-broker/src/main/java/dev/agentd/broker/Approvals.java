package dev.agentd.broker;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.regex.Pattern;

/**
 * Human approval of one call, bound to agent, tool and the SHA-256 of its arguments, single use,
 * persisted in {@code broker_approvals} (so a request survives a restart of agentd). Expiry is
 * derived from the clock when a row is read, never stored. Waiters sleep on a condition of the
 * database lock that every decision (and the broker's close) signals.
 */
final class Approvals {
    private static final int MAX_PREVIEW = 2_000;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Unambiguous when read aloud or typed: no 0/o, 1/l/i. */
    private static final char[] ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz".toCharArray();
    private static final int APPROVAL_ID_LENGTH = 8;

    private final Database db;
    private final Events events;
    private final GrantRows rows;
    private final java.time.Clock clock;
    private final Condition changed;
    private final SecureRandom random = new SecureRandom();

    Approvals(Database db, Events events, GrantRows rows, java.time.Clock clock) {
        this.db = db;
        this.events = events;
        this.rows = rows;
        this.clock = clock;
        this.changed = db.lock().newCondition();
    }

    /** Wakes every {@link #await}; call under the database lock. */
    void wakeWaiters() {
        changed.signalAll();
    }

    ApprovalRequest request(String agentId, String tool, String argsSha256, String preview, Duration ttl) {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(preview, "preview");
        Objects.requireNonNull(ttl, "ttl");
        String hash = normalizeSha256(argsSha256);
        String toolName = Values.normalize(GrantKind.TOOL, tool);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("approval ttl must be > 0, got " + ttl);
        }
        String shownPreview = preview.length() > MAX_PREVIEW ? preview.substring(0, MAX_PREVIEW) + "..." : preview;
        return db.write("request approval for " + agentId, () -> {
            GrantRows.AgentRow a = rows.requireAgent(agentId);
            if (a.forgottenAt() != null) {
                throw new IllegalArgumentException("agent \"" + agentId + "\" is gone (forgotten at " + a.forgottenAt() + ")");
            }
            Instant now = clock.instant();
            ApprovalRequest req = null;
            // 31^8 ids: a collision is unlikely but cheap to retry, and an id must never be reused.
            for (int attempt = 0; req == null; attempt++) {
                String id = randomId();
                if (exists(id)) {
                    if (attempt > 10) {
                        throw new BrokerException("cannot find a free approval id");
                    }
                    continue;
                }
                req = new ApprovalRequest(id, agentId, toolName, hash, shownPreview, now, now.plus(ttl), ApprovalState.PENDING);
            }
            try (PreparedStatement p = db.connection().prepareStatement("INSERT INTO broker_approvals (id, agent_id, tool,"
                    + " args_sha256, preview, created_at, expires_at, state) VALUES (?,?,?,?,?,?,?,?)")) {
                p.setString(1, req.id());
                p.setString(2, agentId);
                p.setString(3, toolName);
                p.setString(4, hash);
                p.setString(5, shownPreview);
                p.setString(6, req.createdAt().toString());
                p.setString(7, req.expiresAt().toString());
                p.setString(8, ApprovalState.PENDING.name());
                p.executeUpdate();
            }
            events.emit(BrokerEvent.Type.APPROVAL_REQUESTED, agentId, Events.details("approval", req.id(), "tool", toolName,
                    "argsSha256", hash, "expiresAt", req.expiresAt().toString()));
            return req;
        });
    }

    /** An admin approves ({@link ApprovalState#APPROVED}) or denies a pending request. */
    ApprovalRequest decide(String approvalId, Principal by, ApprovalState to) {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(by, "by");
        String verb = to == ApprovalState.APPROVED ? "approve" : "deny";
        if (!by.isAdmin()) {
            throw new NotPermittedException(by, verb + " approval " + approvalId, "only an admin decides approvals");
        }
        return db.write(verb + " approval " + approvalId, () -> {
            Instant now = clock.instant();
            ApprovalRequest r = load(approvalId, now)
                    .orElseThrow(() -> new NoSuchElementException("no approval request \"" + approvalId + "\""));
            if (r.state() != ApprovalState.PENDING) {
                throw new IllegalStateException("approval " + approvalId + " is " + r.state().name().toLowerCase(Locale.ROOT)
                        + (r.state() == ApprovalState.EXPIRED ? " (at " + r.expiresAt() + ")" : "") + ", not pending");
            }
            try (PreparedStatement p = db.connection().prepareStatement("UPDATE broker_approvals SET state = ?, decided_by = ?,"
                    + " decided_at = ? WHERE id = ? AND state = 'PENDING'")) {
                p.setString(1, to.name());
                p.setString(2, by.toString());
                p.setString(3, now.toString());
                p.setString(4, approvalId);
                p.executeUpdate();
            }
            events.emit(to == ApprovalState.APPROVED ? BrokerEvent.Type.APPROVED : BrokerEvent.Type.DENIED_APPROVAL,
                    r.agentId(), Events.details("approval", approvalId, "tool", r.tool(), "argsSha256", r.argsSha256(),
                            "by", by.toString()));
            db.onCommit(changed::signalAll);
            return new ApprovalRequest(r.id(), r.agentId(), r.tool(), r.argsSha256(), r.preview(), r.createdAt(),
                    r.expiresAt(), to);
        });
    }

    /** See {@link Broker#await}. */
    ApprovalOutcome await(String approvalId, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, saturatedNanos(timeout));
        db.lock().lockInterruptibly();
        try {
            while (true) {
                db.ensureOpen();
                Instant now = clock.instant();
                ApprovalRequest r = db.sql("await approval " + approvalId, () -> load(approvalId, now))
                        .orElseThrow(() -> new NoSuchElementException("no approval request \"" + approvalId + "\""));
                switch (r.state()) {
                    case APPROVED, CONSUMED:
                        return ApprovalOutcome.APPROVED;
                    case DENIED:
                        return ApprovalOutcome.DENIED;
                    case EXPIRED:
                        return ApprovalOutcome.EXPIRED;
                    case PENDING:
                        break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return ApprovalOutcome.TIMED_OUT;
                }
                // Wake at the expiry too (at least every 10 ms past it, for a clock that is not real time).
                long untilExpiry = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                        saturatedNanos(Duration.between(now, r.expiresAt())));
                changed.awaitNanos(Math.min(left, untilExpiry));
            }
        } finally {
            db.lock().unlock();
        }
    }

    /** See {@link Broker#consumeApproval}. */
    boolean consume(String approvalId, String agentId, String tool, String argsSha256) {
        if (approvalId == null || agentId == null || tool == null || argsSha256 == null) {
            return false;
        }
        String hash = argsSha256.toLowerCase(Locale.ROOT);
        return db.write("consume approval " + approvalId, () -> {
            Optional<ApprovalRequest> found = load(approvalId, clock.instant());
            if (found.isEmpty()) {
                return false;
            }
            ApprovalRequest r = found.get();
            if (r.state() != ApprovalState.APPROVED || !r.agentId().equals(agentId) || !r.tool().equals(tool)
                    || !r.argsSha256().equals(hash)) {
                return false;
            }
            int n;
            try (PreparedStatement p = db.connection().prepareStatement("UPDATE broker_approvals SET state = 'CONSUMED',"
                    + " consumed_at = ? WHERE id = ? AND state = 'APPROVED'")) {
                p.setString(1, clock.instant().toString());
                p.setString(2, approvalId);
                n = p.executeUpdate();
            }
            if (n != 1) {
                return false;
            }
            events.emit(BrokerEvent.Type.APPROVAL_CONSUMED, agentId, Events.details("approval", approvalId, "tool", tool,
                    "argsSha256", hash));
            return true;
        });
    }

    /** Requests still waiting for a decision (not expired), oldest first. */
    List<ApprovalRequest> pending() {
        return db.read(() -> {
            Instant now = clock.instant();
            List<ApprovalRequest> out = new ArrayList<>();
            try (PreparedStatement p = db.connection().prepareStatement(
                    "SELECT * FROM broker_approvals WHERE state = 'PENDING' ORDER BY created_at, id");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    ApprovalRequest r = from(rs, now);
                    if (r.state() == ApprovalState.PENDING) {
                        out.add(r);
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    /** One approval request as it stands now. */
    Optional<ApprovalRequest> get(String approvalId) {
        return db.read(() -> load(approvalId, clock.instant()));
    }

    private Optional<ApprovalRequest> load(String id, Instant now) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_approvals WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(from(rs, now)) : Optional.empty();
            }
        }
    }

    private boolean exists(String id) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT id FROM broker_approvals WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static ApprovalRequest from(ResultSet rs, Instant now) throws SQLException {
        Instant expiresAt = Instant.parse(rs.getString("expires_at"));
        ApprovalState state = ApprovalState.valueOf(rs.getString("state"));
        // Expiry is derived, not stored: no background thread has to flip rows at the right moment.
        // An approval not used in time expires too: a person approved a call "now", not forever.
        if ((state == ApprovalState.PENDING || state == ApprovalState.APPROVED) && !now.isBefore(expiresAt)) {
            state = ApprovalState.EXPIRED;
        }
        return new ApprovalRequest(rs.getString("id"), rs.getString("agent_id"), rs.getString("tool"),
                rs.getString("args_sha256"), rs.getString("preview"), Instant.parse(rs.getString("created_at")),
                expiresAt, state);
    }

    private String randomId() {
        char[] c = new char[APPROVAL_ID_LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(c);
    }

    static String normalizeSha256(String hex) {
        Objects.requireNonNull(hex, "argsSha256");
        String h = hex.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(h).matches()) {
            throw new IllegalArgumentException("argsSha256 \"" + Values.printable(hex)
                    + "\" is not a SHA-256 digest: expected 64 hex digits");
        }
        return h;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
