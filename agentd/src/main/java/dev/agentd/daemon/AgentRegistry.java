package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.manifest.Uid;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which agents run, and every agent's record: the running ones in memory
 * ({@link LiveAgent}, by id), all of them in the {@link Store}. Lookups take
 * an id or a name.
 */
final class AgentRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final Map<String, LiveAgent> live = new ConcurrentHashMap<>();
    /** Held while a new agent's name and uid are checked and it is entered. */
    private final Object lock = new Object();

    AgentRegistry(Store store) {
        this.store = store;
    }

    Object lock() {
        return lock;
    }

    LiveAgent get(String id) {
        return live.get(id);
    }

    void put(String id, LiveAgent l) {
        live.put(id, l);
    }

    LiveAgent remove(String id) {
        return live.remove(id);
    }

    boolean remove(String id, LiveAgent l) {
        return live.remove(id, l);
    }

    Collection<LiveAgent> values() {
        return live.values();
    }

    boolean containsKey(String id) {
        return live.containsKey(id);
    }

    int size() {
        return live.size();
    }

    /**
     * A free uid: {@code wanted} when it is fixed and free, else the lowest free
     * one in {@code min..max}; a refusal says why (naming the configured range,
     * {@code min..configuredMax}).
     */
    int allocateUid(Uid wanted, int min, int max, int configuredMax) throws AgentdException {
        Set<Integer> used;
        try {
            used = store.uidsInUse();
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
        if (wanted instanceof Uid.Fixed f) {
            if (used.contains(f.uid())) {
                throw new AgentdException(AgentdException.SPAWN_REFUSED, "uid " + f.uid() + " is already used by a running"
                        + " agent; agents sharing a uid could see and signal each other");
            }
            return f.uid();
        }
        for (int u = min; u <= max; u++) {
            if (!used.contains(u)) {
                return u;
            }
        }
        throw new AgentdException(AgentdException.SPAWN_REFUSED, "no free uid in " + min + ".." + configuredMax);
    }

    List<AgentRecord> list(boolean all) throws AgentdException {
        try {
            List<AgentRecord> out = new ArrayList<>();
            for (AgentRecord a : store.all()) {
                LiveAgent l = live.get(a.id());
                AgentRecord cur = l == null ? a : l.record;
                if (all || !cur.state().isFinal()) {
                    out.add(cur);
                }
            }
            return out;
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
    }

    AgentRecord status(String idOrName) throws AgentdException {
        LiveAgent l = live.get(idOrName);
        if (l != null) {
            return l.record;
        }
        try {
            Optional<AgentRecord> a = store.get(idOrName);
            if (a.isPresent()) {
                return a.get();
            }
            for (LiveAgent x : live.values()) {
                if (x.record.name().equals(idOrName)) {
                    return x.record;
                }
            }
            List<AgentRecord> named = store.byName(idOrName);
            if (!named.isEmpty()) {
                return named.get(0);
            }
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
        ObjectNode data = JSON.createObjectNode();
        data.put("id", idOrName);
        throw new AgentdException(AgentdException.NO_SUCH_AGENT, "no agent with id or name \"" + idOrName + "\"", data);
    }

    LiveAgent running(String idOrName) throws AgentdException {
        AgentRecord r = status(idOrName);
        LiveAgent l = live.get(r.id());
        if (l == null) {
            ObjectNode data = JSON.createObjectNode();
            data.put("state", r.state().wire());
            throw new AgentdException(AgentdException.WRONG_STATE, "agent " + r.id() + " is not running (" + r.state().wire() + ")", data);
        }
        return l;
    }

    void record(AgentRecord r) throws AgentdException {
        try {
            store.put(r);
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
    }

    /** Persists a record where a failure cannot be answered to anyone: it is reported on stderr. */
    void recordOrReport(AgentRecord r) {
        try {
            record(r);
        } catch (AgentdException e) {
            System.err.println("agentd: " + e.getMessage());
        }
    }

    static String newId() {
        return String.format("%08x", RANDOM.nextInt());
    }
}
