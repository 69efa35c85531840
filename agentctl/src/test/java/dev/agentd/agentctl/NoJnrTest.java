package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentctl must never load jnr-ffi: it would bring native library loading
 * into every invocation and tie the client to the daemon's internals. The
 * enforcer rule in the pom keeps it off the dependency list; these check the
 * outcome.
 */
class NoJnrTest {

    @Test
    void classpath_hasNoJnr() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("jnr.ffi.LibraryLoader"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            assertFalse(entry.contains("jnr"), "jnr on agentctl's classpath: " + entry);
            assertFalse(entry.matches(".*/linux/target/.*|.*/dev/agentd/linux/.*"),
                    "the linux module is on agentctl's classpath: " + entry);
        }
    }

    @Test
    void main_loadsNoJnrClass_forHelpOrARealCommand(@TempDir Path dir) throws Exception {
        try (FakeAgentd agentd = new FakeAgentd(dir)) {
            agentd.result("daemon.status", Fixtures.DAEMON);
            agentd.result("audit.verify", "{\"ok\": true, \"records\": 1, \"problems\": []}");
            for (List<String> args : List.of(List.of("--help"),
                    List.of("daemon", "status", "--socket", agentd.socket().toString()),
                    List.of("audit", "verify", "--socket", agentd.socket().toString()))) {
                String loaded = runMainVerbose(args);
                assertTrue(loaded.contains("dev.agentd.agentctl.Main"), "-verbose:class output not as expected");
                assertFalse(loaded.contains(" jnr."), "a jnr class was loaded by agentctl " + args);
                assertFalse(loaded.contains("dev.agentd.linux."), "the linux module was loaded by agentctl " + args);
            }
        }
    }

    /** Runs Main in a fresh JVM with -verbose:class and returns what it printed. */
    private static String runMainVerbose(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Arrays.asList(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-verbose:class",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }
}
