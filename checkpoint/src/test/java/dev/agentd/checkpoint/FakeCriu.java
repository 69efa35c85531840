package dev.agentd.checkpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link CommandRunner} that answers for {@code criu} from a table and records what it was asked. */
final class FakeCriu implements CommandRunner {

    final List<List<String>> calls = new ArrayList<>();
    private final Map<String, Result> answers = new HashMap<>();
    private final Map<String, IOException> failures = new HashMap<>();

    /** Answers {@code argv[1..]} joined with spaces, e.g. {@code "--version"} or {@code "check --feature uffd"}. */
    FakeCriu answer(String args, int exitCode, String output) {
        answers.put(args, new Result(exitCode, output));
        return this;
    }

    FakeCriu fail(String args, IOException e) {
        failures.put(args, e);
        return this;
    }

    long count(String args) {
        return calls.stream().filter(c -> String.join(" ", c.subList(1, c.size())).equals(args)).count();
    }

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
        calls.add(List.copyOf(argv));
        String args = String.join(" ", argv.subList(1, argv.size()));
        if (failures.containsKey(args)) {
            throw failures.get(args);
        }
        Result r = answers.get(args);
        if (r == null) {
            throw new AssertionError("unexpected command " + argv);
        }
        return r;
    }
}
