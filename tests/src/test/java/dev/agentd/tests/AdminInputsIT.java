package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What agentd takes from an admin client it must not trust blindly: files
 * named by path (bounded, regular only) and secret names (the
 * {@code ${secret:NAME}} syntax).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminInputsIT {
    static AgentdHarness agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = AgentdHarness.start();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void spawn_pathDevZero_isRefusedAtOnce() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> agentd.call("agent.spawn", Map.of("path", "/dev/zero")));

        assertEquals(-32602, e.code(), e.toString());
        assertTrue(e.getMessage().contains("/dev/zero") && e.getMessage().contains("not a regular file"), e.toString());
    }

    @Test
    void spawn_pathOfAFifo_isRefusedWithoutBlocking() throws Exception {
        Path dir = Dirs.temp("fifo-");
        Path fifo = dir.resolve("manifest.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

        RpcException e = assertThrows(RpcException.class,
                () -> agentd.call("agent.spawn", Map.of("path", fifo.toString())));

        assertTrue(e.getMessage().contains("not a regular file"), e.toString());
    }

    @Test
    void spawn_pathOfAFileOverOneMiB_isRefusedNamingTheLimit() throws Exception {
        Path dir = Dirs.temp("big-");
        Path big = Files.write(dir.resolve("big.yaml"), new byte[(1 << 20) + 1]);

        RpcException e = assertThrows(RpcException.class,
                () -> agentd.call("agent.spawn", Map.of("path", big.toString())));

        assertTrue(e.getMessage().contains(big.toString()) && e.getMessage().contains("1024 KiB"), e.toString());
    }

    @Test
    void secretSet_nameOutsideTheSecretSyntax_isRefused() throws Exception {
        String value = Base64.getEncoder().encodeToString("v".getBytes());
        for (String name : new String[] {"../../x", "a/b", "x y", "${secret:x}"}) {
            RpcException e = assertThrows(RpcException.class,
                    () -> agentd.call("secret.set", Map.of("name", name, "value_base64", value)), name);
            assertEquals(-32602, e.code(), e.toString());
            assertTrue(e.getMessage().contains("invalid secret name"), e.toString());
        }
        for (var stored : agentd.call("secret.list", Map.of()).path("names")) {
            assertFalse(stored.asText().contains("/") || stored.asText().contains(" "), stored.asText());
        }
    }

    @Test
    void secretSet_nameInTheSyntax_isStored() throws Exception {
        String value = Base64.getEncoder().encodeToString("v".getBytes());

        agentd.call("secret.set", Map.of("name", "Api.key-2_x", "value_base64", value));

        assertTrue(agentd.call("secret.list", Map.of()).path("names").toString().contains("Api.key-2_x"));
        agentd.call("secret.delete", Map.of("name", "Api.key-2_x"));
    }
}
