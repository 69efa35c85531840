package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Checkpoints#heldByTracer}, which decides when a checkpoint may thaw an
 * agent CRIU is seizing, against a real tracer: a Python process that
 * PTRACE_SEIZEs and PTRACE_INTERRUPTs a shell and its child one at a time, as
 * CRIU does, and says after each. The tree is held only once both are in a
 * ptrace stop.
 */
class HeldByTracerIT {
    private static final String TRACER = String.join("\n",
            "import ctypes, os, subprocess, sys, time",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "SEIZE, INTERRUPT = 0x4206, 0x4207",
            "p = subprocess.Popen(['/bin/sh', '-c', 'sleep 60; :'])",
            "kid = None",
            "for _ in range(500):",
            "    try:",
            "        kid = int(open('/proc/%d/task/%d/children' % (p.pid, p.pid)).read().split()[0]); break",
            "    except (IndexError, OSError): time.sleep(0.01)",
            "print('tree', p.pid, kid, flush=True)",
            "def hold(pid):",
            "    if libc.ptrace(SEIZE, pid, None, None) or libc.ptrace(INTERRUPT, pid, None, None):",
            "        sys.exit('ptrace: errno %d' % ctypes.get_errno())",
            "    os.waitpid(pid, 0x40000000)",  // __WALL
            "input(); hold(p.pid); print('one', flush=True)",
            "input(); hold(kid); print('both', flush=True)",
            "input(); p.kill(); os.kill(kid, 9)");

    @Test
    void aTreeIsHeldOnlyOnceEveryProcessIsInAPtraceStop() throws Exception {
        Process tracer = new ProcessBuilder("python3", "-c", TRACER).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(tracer.getInputStream(), StandardCharsets.UTF_8));
             var in = tracer.getOutputStream()) {
            String[] tree = out.readLine().split(" ");
            assertEquals("tree", tree[0], "tracer said: " + String.join(" ", tree));
            long shell = Long.parseLong(tree[1]);
            assertFalse(Checkpoints.heldByTracer(shell), "running, untraced");

            in.write('\n');
            in.flush();
            assertEquals("one", out.readLine());
            assertFalse(Checkpoints.heldByTracer(shell), "the shell is held, its child (sleep) still runs");

            in.write('\n');
            in.flush();
            assertEquals("both", out.readLine());
            assertTrue(Checkpoints.heldByTracer(shell), "both in a ptrace stop");

            in.write('\n');
            in.flush();
        } finally {
            if (!tracer.waitFor(10, TimeUnit.SECONDS)) {
                tracer.destroyForcibly();
            }
        }
    }
}
