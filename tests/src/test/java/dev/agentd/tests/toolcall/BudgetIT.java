package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Budgets and rates, from inside a real sandbox: an agent calling a tool as fast as it can never
 * gets more successful calls than its grant's {@code max_invocations}, even when agentd is
 * SIGKILLed twice in the middle (the broker reserves invocations ahead in blocks, so a crash loses
 * reserved ones and never gains any); and the toolcall rate of the manifest's {@code limits}, or
 * of agentd.yaml, refuses calls beyond its burst without consuming them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BudgetIT {
    private static final int BUDGET = 2000;
    /** What the broker reserves at once for that budget: max / 16. */
    private static final int BLOCK = BUDGET / 16;

    /**
     * Calls echo until the budget is used up, writing its count of successes to /workspace/progress
     * every ten calls. A lost connection (agentd killed) is not a success, whether or not the call
     * ran; the client reconnects to the new agentd on the next call.
     */
    private static final String LOOP = """
            ok = 0
            lost = 0
            refused = ""
            deadline = time.monotonic() + 200
            while time.monotonic() < deadline:
                try:
                    r = client().call_tool("echo", {"text": "spend"})
                except (ConnectionError, OSError) as e:
                    lost += 1
                    time.sleep(0.02)
                    continue
                if r.get("isError"):
                    refused = r["content"][0]["text"]
                    if "exhausted" in refused:
                        break
                    continue
                ok += 1
                if ok % 10 == 0:
                    with open("/workspace/progress.tmp", "w") as f:
                        f.write(str(ok))
                    os.rename("/workspace/progress.tmp", "/workspace/progress")
            result = {"ok": ok, "lost": lost, "refused": refused}
            """;

    Agentd agentd;

    @AfterEach
    void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void a_budget_holds_across_kill_9_of_agentd_while_the_agent_calls() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.process();
        Driver d = Driver.spawn(agentd, Driver.Spec.named("spender")
                .cap("tool: echo, max_invocations: " + BUDGET)
                // The agent's own rate out of the way: the budget is what is under test.
                .extra("limits: {toolcalls_per_second: 1000000, toolcall_burst: 1000000}"));
        int loop = d.send(cmd("op", "py", "code", LOOP));

        int[] killedAt = new int[2];
        for (int k = 0; k < killedAt.length; k++) {
            int threshold = (k + 1) * BUDGET / 3;
            killedAt[k] = awaitProgress(d, threshold);
            agentd.killHard();
            assertFalse(d.answered(loop), "the loop ended before agentd was killed: a budget too small for this machine");
            agentd.startAgain();
        }
        JsonNode r = d.await(loop, Duration.ofSeconds(240));
        assertFalse(r.has("exception"), r.toString());
        JsonNode res = r.path("result");
        int ok = res.path("ok").asInt();
        System.out.println("BudgetIT: budget " + BUDGET + ", killed at " + killedAt[0] + " and " + killedAt[1]
                + " successes; the loop: " + res);
        assertTrue(res.path("refused").asText().contains("exhausted: " + BUDGET + " of " + BUDGET + " invocations used"),
                "the loop ends on the budget: " + res);
        assertTrue(ok <= BUDGET, "the agent got " + ok + " successful calls on a budget of " + BUDGET);
        // Each kill loses at most the block reserved ahead plus the one call in flight.
        assertTrue(ok >= BUDGET - killedAt.length * (BLOCK + 1), "lost more than a block per crash: " + ok + " of "
                + BUDGET + " (" + res + ")");
        assertTrue(ok > killedAt[1], "calls went on after the restarts: " + ok + " vs " + killedAt[1]);
        JsonNode g = agentd.grant(d.id, "tool", "echo");
        assertEquals(BUDGET, g.path("used").asInt(), g.toString());
        assertEquals("exhausted", g.path("state").asText(), "the budget is spent for good: " + g);
    }

    /** Waits until the agent's loop reports at least {@code n} successes; returns its count. */
    private static int awaitProgress(Driver d, int n) throws Exception {
        Path f = d.agentd.workspace(d.id).resolve("progress");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                int seen = Integer.parseInt(Files.readString(f).trim());
                if (seen >= n) {
                    return seen;
                }
            } catch (NoSuchFileException | NumberFormatException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the agent did not reach " + n + " calls within 120 s: " + String.join("\n", d.log()));
            }
            Thread.onSpinWait();
        }
    }

    /** Calls echo until the first refusal (at most 1000 calls): how many succeeded, and the refusal. */
    private static final String BURST = """
            ok = 0
            refused = ""
            t0 = time.monotonic()
            for i in range(1000):
                r = client().call_tool("echo", {"text": "quick"})
                if r.get("isError"):
                    refused = r["content"][0]["text"]
                    break
                ok += 1
            result = {"ok": ok, "refused": refused, "seconds": time.monotonic() - t0}
            """;

    @Test
    void the_toolcall_rate_of_the_manifest_or_agentd_yaml_refuses_calls_beyond_the_burst() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess("toolcalls_per_second: 1\ntoolcall_burst: 2\n");
        // agentd.yaml's default: bursts of 2 at 1 per second.
        Driver byDefault = Driver.spawn(agentd, Driver.Spec.named("defaulted").cap("tool: echo, max_invocations: 1000"));
        // The manifest's own: bursts of 5 at 1 per second.
        Driver byManifest = Driver.spawn(agentd, Driver.Spec.named("limited").cap("tool: echo, max_invocations: 1000")
                .extra("limits:\n  toolcalls_per_second: 1\n  toolcall_burst: 5"));
        assertBurst(byDefault, 2);
        assertBurst(byManifest, 5);
    }

    private void assertBurst(Driver d, int burst) throws Exception {
        JsonNode r = d.py(BURST);
        int ok = r.path("ok").asInt();
        // At least the burst; more only by what one call per second refilled meanwhile.
        assertTrue(ok >= burst && ok <= burst + 1 + (int) r.path("seconds").asDouble(), r.toString());
        assertTrue(r.path("refused").asText().startsWith("rate limit exceeded"), r.toString());
        // A refused call consumed nothing: the grant counts the successes only.
        assertEquals(ok, agentd.grant(d.id, "tool", "echo").path("used").asInt());
    }
}
