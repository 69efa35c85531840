package dev.agentd.spawner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentd.linux.WaitStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnerSmokeIT {
    @TempDir
    Path dir;

    @Test
    void spawn_smoke() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("root"));
        Path log = dir.resolve("log");
        SandboxSpec.Builder b = SandboxSpec.builder().name("smoke").uid(61000)
                .command(List.of("/bin/sh", "-c", "id; hostname; echo pid=$$; grep -E 'Uid|Seccomp|NoNewPrivs|CapEff|CapBnd' /proc/self/status; ls /; ls /proc; cat /etc/shadow; echo done"))
                .stagingDir(staging).logFile(log);
        for (String p : List.of("/usr", "/bin", "/lib", "/lib64", "/sbin")) {
            if (Files.exists(Path.of(p))) {
                b.mount(BindMount.readOnly(Path.of(p)));
            }
        }
        b.access(Path.of("/usr"), PathAccess.Kind.EXECUTE);
        Spawner s = Spawner.create();
        long t0 = System.nanoTime();
        SandboxHandle h = s.spawn(b.build());
        WaitStatus st = h.waitFor();
        long t1 = System.nanoTime();
        h.reapInit();
        System.out.println("took " + (t1 - t0) / 1e6 + " ms; " + st);
        System.out.println(Files.readString(log));
        assertEquals(0, 0);
    }
}
