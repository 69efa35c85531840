package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpollIT {
    @Test
    void pidfds_becomeReadableWhenTheirProcessEnds_andReportTheirTokens() throws Exception {
        List<Integer> pids = new ArrayList<>();
        List<Fd> pidfds = new ArrayList<>();
        try (Epoll ep = Epoll.create()) {
            for (int i = 0; i < 3; i++) {
                int pid = Spawn.of(Path.of("/bin/sleep")).args("sleep", "60").closeFrom(3).start();
                pids.add(pid);
                Fd fd = ProcessSyscall.pidfdOpen(pid);
                pidfds.add(fd);
                ep.add(fd, 100 + i);
            }
            long[] tokens = new long[8];
            assertEquals(0, ep.await(tokens, 0), "nothing ended yet");
            ProcessSyscall.kill(pids.get(1), ProcessSyscall.SIGKILL);
            int n = ep.await(tokens, -1);
            assertEquals(1, n);
            assertEquals(101, tokens[0]);
            assertEquals(ProcessSyscall.SIGKILL, ProcessSyscall.waitFor(pids.get(1)).signal());
            ep.remove(pidfds.get(1));
            assertEquals(0, ep.await(tokens, 0), "a removed descriptor is no longer reported");

            ProcessSyscall.kill(pids.get(0), ProcessSyscall.SIGKILL);
            ProcessSyscall.kill(pids.get(2), ProcessSyscall.SIGKILL);
            Set<Long> seen = new HashSet<>();
            while (seen.size() < 2) {
                int m = ep.await(tokens, -1);
                for (int i = 0; i < m; i++) {
                    seen.add(tokens[i]);
                }
            }
            assertEquals(Set.of(100L, 102L), seen);
            ProcessSyscall.waitFor(pids.get(0));
            ProcessSyscall.waitFor(pids.get(2));
        } finally {
            pidfds.forEach(Fd::close);
        }
    }

    @Test
    void wakeUp_endsAWaitWithoutATokenOfItsOwn() throws Exception {
        try (Epoll ep = Epoll.create()) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                ep.wakeUp();
            });
            t.start();
            assertEquals(0, ep.await(new long[4], -1));
            t.join();
            ep.wakeUp();
            assertEquals(0, ep.await(new long[4], -1), "a wake-up before the wait ends it too");
        }
    }
}
