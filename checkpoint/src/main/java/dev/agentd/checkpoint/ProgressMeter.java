package dev.agentd.checkpoint;

/** Reports progress to a {@link CheckpointArchive.Progress} about once per MiB, not per buffer. */
final class ProgressMeter {

    private static final long STEP = 1 << 20;

    private final CheckpointArchive.Progress progress;
    private final long total;
    private long done;
    private long reported = -1;

    ProgressMeter(CheckpointArchive.Progress progress, long total) {
        this.progress = progress;
        this.total = total;
    }

    void advance(long bytes) {
        advanceTo(done + bytes);
    }

    void advanceTo(long bytesDone) {
        done = bytesDone;
        if (reported < 0 || done - reported >= STEP) {
            report();
        }
    }

    /** The final report, so the caller always sees 100%. */
    void finish() {
        done = total;
        report();
    }

    private void report() {
        reported = done;
        progress.update(done, total);
    }
}
