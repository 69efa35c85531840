package dev.agentd.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real {@link CommandRunner}: {@link ProcessBuilder}, output collected on a helper thread. */
final class ProcessCommandRunner implements CommandRunner {

    /** criu's check and version output is a few KiB; more than this is noise we do not keep. */
    private static final int MAX_OUTPUT_BYTES = 1 << 20;

    /** How long to wait for the output pipe after the process ended (a grandchild may hold it). */
    private static final long DRAIN_MILLIS = 2_000;

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
        String command = String.join(" ", argv);
        Process process = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        OutputCollector output = new OutputCollector(process.getInputStream());
        // A separate reader keeps a chatty command from blocking on a full pipe
        // while we wait for it with a timeout.
        Thread reader = new Thread(output, "criu-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
                throw new IOException(command + " did not finish within " + describe(timeout) + " and was killed");
            }
            reader.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + command);
        } finally {
            process.getInputStream().close();
        }
        return new Result(process.exitValue(), output.text());
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Reads a stream to its end, keeping the first {@link #MAX_OUTPUT_BYTES}. */
    private static final class OutputCollector implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        OutputCollector(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (kept) {
                        int room = MAX_OUTPUT_BYTES - kept.size();
                        kept.write(buf, 0, Math.max(0, Math.min(room, n)));
                    }
                }
            } catch (IOException closedUnderUs) {
                // The stream was closed after a timeout; what we have is all we report.
            }
        }

        String text() {
            synchronized (kept) {
                // new String(bytes, UTF_8) replaces malformed input instead of failing.
                return new String(kept.toByteArray(), StandardCharsets.UTF_8);
            }
        }
    }
}
