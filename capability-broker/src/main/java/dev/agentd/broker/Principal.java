package dev.agentd.broker;

import java.util.Objects;

/**
 * Who acts: an admin (identified by uid, from SO_PEERCRED on the admin socket) or an agent.
 *
 * @param kind {@code "admin"} or {@code "agent"}
 * @param id   the uid in decimal for an admin, the agent id for an agent
 */
public record Principal(String kind, String id) {
    public static final String ADMIN = "admin";
    public static final String AGENT = "agent";

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (!kind.equals(ADMIN) && !kind.equals(AGENT)) {
            throw new IllegalArgumentException("principal kind must be \"admin\" or \"agent\", got \"" + kind + "\"");
        }
    }

    public static Principal admin(int uid) {
        return new Principal(ADMIN, Integer.toString(uid));
    }

    public static Principal agent(String id) {
        return new Principal(AGENT, id);
    }

    public boolean isAdmin() {
        return kind.equals(ADMIN);
    }

    @Override
    public String toString() {
        return kind + ":" + id;
    }
}
