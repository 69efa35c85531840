package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One command applied to several agent ids, as {@code docker stop A B} does:
 * each id is reported, in the order given; one that fails does not stop the
 * others, and the exit status is that of the first failure (0 when none).
 *
 * <p>With one id nothing changes from the single-id command: its result, or
 * its error through {@code Main}, exactly as before, so scripts written for
 * one id keep working. With several, {@code --json} prints an array with one
 * element per id: agentd's result, or {@code {"id": ID, "error": {...}}} in
 * the shape {@code Main} prints for a failed command.
 */
final class EachId {

    /** What the command does for one id, on a connection of its own. */
    @FunctionalInterface
    interface Action<R extends JsonResult> {
        R apply(AdminClient agentd, String id) throws IOException, AdminException;
    }

    /** How a result reads for a person; {@code several} says whether other ids are reported too. */
    @FunctionalInterface
    interface Human<R> {
        String format(R result, boolean several);
    }

    private EachId() {}

    /**
     * Runs {@code action} for each of {@code ids}, one after the other, and
     * prints what happened.
     */
    static <R extends JsonResult> int run(CommonOptions common, List<String> ids, Action<R> action, Human<R> human)
            throws Exception {
        return run(common, ids, action, human, false);
    }

    /**
     * As {@link #run(CommonOptions, List, Action, Human)}; with
     * {@code concurrently}, all ids at once, each on its own connection (a
     * stop waits out a grace period per agent: ten agents must not take ten
     * grace periods).
     */
    static <R extends JsonResult> int run(CommonOptions common, List<String> ids, Action<R> action, Human<R> human,
            boolean concurrently) throws Exception {
        if (ids.size() == 1) {
            try (AdminClient agentd = common.connect()) {
                R r = action.apply(agentd, ids.get(0));
                common.print(r, human.format(r, false));
            }
            return ExitCodes.OK;
        }
        List<Outcome<R>> outcomes = concurrently ? concurrently(common, ids, action) : oneByOne(common, ids, action);
        int exit = ExitCodes.OK;
        ArrayNode array = Json.array();
        for (int i = 0; i < ids.size(); i++) {
            Outcome<R> o = outcomes.get(i);
            if (o.failure() instanceof AgentdUnreachableException u) {
                // Not about this id: agentd is not there for any of them.
                throw u;
            }
            if (o.failure() != null && !(o.failure() instanceof AdminException)) {
                throw o.failure();
            }
            if (o.failure() instanceof AdminException a) {
                exit = exit == ExitCodes.OK ? a.exitCode() : exit;
                ObjectNode error = Json.object().put("kind", "agentd").put("code", a.code())
                        .put("message", a.getMessage()).put("exit_code", a.exitCode());
                error.set("data", a.data());
                array.add(Json.object().put("id", ids.get(i)).set("error", error));
                if (!common.json()) {
                    common.err().println("agentctl: " + ids.get(i) + ": " + a.getMessage());
                    common.err().flush();
                }
            } else {
                array.add(o.result().json());
                if (!common.json()) {
                    common.out().print(human.format(o.result(), true));
                    common.out().flush();
                }
            }
        }
        if (common.json()) {
            common.printJson(array);
        }
        return exit;
    }

    private record Outcome<R>(R result, Exception failure) {}

    private static <R extends JsonResult> List<Outcome<R>> oneByOne(CommonOptions common, List<String> ids,
            Action<R> action) throws IOException {
        List<Outcome<R>> outcomes = new ArrayList<>();
        try (AdminClient agentd = common.connect()) {
            for (String id : ids) {
                outcomes.add(attempt(agentd, id, action));
            }
        }
        return outcomes;
    }

    private static <R extends JsonResult> List<Outcome<R>> concurrently(CommonOptions common, List<String> ids,
            Action<R> action) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(ids.size(), 16), r -> {
            Thread t = new Thread(r, "agentctl-each-id");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome<R>>> futures = new ArrayList<>();
            for (String id : ids) {
                futures.add(pool.submit(() -> {
                    try (AdminClient agentd = common.connect()) {
                        return attempt(agentd, id, action);
                    } catch (IOException e) {
                        return new Outcome<R>(null, e);
                    }
                }));
            }
            List<Outcome<R>> outcomes = new ArrayList<>();
            for (Future<Outcome<R>> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    outcomes.add(new Outcome<>(null, e.getCause() instanceof Exception x ? x
                            : new IllegalStateException(e.getCause())));
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <R extends JsonResult> Outcome<R> attempt(AdminClient agentd, String id, Action<R> action) {
        try {
            return new Outcome<>(action.apply(agentd, id), null);
        } catch (Exception e) {
            return new Outcome<>(null, e);
        }
    }
}
