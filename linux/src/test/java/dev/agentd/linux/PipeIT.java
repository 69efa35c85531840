package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PipeIT {
    @Test
    void pipes_carryAChildsStdinAndStdout() throws Exception {
        Pipe in = Pipe.open();
        Pipe out = Pipe.open();
        int pid = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "tr a-z A-Z")
                .dup2(in.readEnd().number(), 0).dup2(out.writeEnd().number(), 1).closeFrom(3).start();
        in.readEnd().close();
        out.writeEnd().close();
        try (OutputStream w = Pipe.outputStream(in.writeEnd()); InputStream r = Pipe.inputStream(out.readEnd())) {
            w.write("hello pipe\n".getBytes(StandardCharsets.UTF_8));
            w.close();
            assertEquals("HELLO PIPE\n", new String(r.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(0, ProcessSyscall.waitFor(pid).exitCode());
    }
}
