package dev.agentd.spawner;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.linux.CredentialSyscall;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.MountSyscall;
import dev.agentd.linux.NamespaceSyscall.Namespace;
import dev.agentd.linux.NamespaceSyscall;
import dev.agentd.linux.NetSyscall;
import dev.agentd.linux.Pipe;
import dev.agentd.linux.Prctl;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.SeccompSyscall;
import dev.agentd.linux.Spawn;
import dev.agentd.linux.WaitStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/** The real kernel behind {@link SandboxSyscalls}, through the {@code linux} module. */
final class LinuxSandboxSyscalls implements SandboxSyscalls {
    private final int lastCapability;

    LinuxSandboxSyscalls() throws IOException {
        // Read on the caller's thread: after pivot_root the host's /proc is gone.
        this.lastCapability = CredentialSyscall.lastCapability();
    }

    @Override
    public void warmUp() {
        ProcessSyscall.warmUp();
        Preload.all();
    }

    @Override
    public int gettid() {
        return ProcessSyscall.gettid();
    }

    @Override
    public void joinCgroup(Cgroup cgroup, int tid) throws IOException {
        cgroup.joinThread(tid);
    }

    @Override
    public void unshare(Set<Namespace> namespaces) throws IOException {
        NamespaceSyscall.unshare(namespaces);
    }

    @Override
    public void sethostname(String hostname) throws IOException {
        NamespaceSyscall.sethostname(hostname);
    }

    @Override
    public void loopbackUp() throws IOException {
        NetSyscall.loopbackUp();
    }

    @Override
    public void mount(String source, Path target, String fstype, long flags, String data) throws IOException {
        MountSyscall.mount(source, target, fstype, flags, data);
    }

    @Override
    public void mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void touch(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file);
        }
    }

    @Override
    public void symlink(Path link, String target) throws IOException {
        Files.createSymbolicLink(link, Path.of(target));
    }

    @Override
    public Fd openLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return FileSyscall.open(file, FileSyscall.O_WRONLY | FileSyscall.O_CREAT | FileSyscall.O_APPEND
                | FileSyscall.O_CLOEXEC, 0640);
    }

    @Override
    public void makeGate(Path fifo, int uid) throws IOException {
        FileSyscall.mkfifo(fifo, 0600);
        Files.setAttribute(fifo, "unix:uid", uid);
    }

    @Override
    public LandlockPlan.Prepared prepareLandlock(LandlockPlan plan) throws IOException {
        return plan.prepare();
    }

    @Override
    public void pivotRoot(Path newRoot) throws IOException {
        // pivot_root(".", ".") stacks the old root on top of the new one at
        // "/"; detaching "." then removes the old root (runc's approach, needs
        // no directory for the old root inside the new one).
        MountSyscall.chdir(newRoot);
        MountSyscall.pivotRoot(Path.of("."), Path.of("."));
        MountSyscall.umount2(Path.of("."), MountSyscall.MNT_DETACH);
        MountSyscall.chdir(Path.of("/"));
    }

    @Override
    public void dropBoundingSet() throws IOException {
        CredentialSyscall.dropBoundingSet(lastCapability);
    }

    @Override
    public void clearGroups() throws IOException {
        CredentialSyscall.clearGroups();
    }

    @Override
    public void setresgid(int gid) throws IOException {
        CredentialSyscall.setresgid(gid);
    }

    @Override
    public void setresuid(int uid) throws IOException {
        CredentialSyscall.setresuid(uid);
    }

    @Override
    public void clearCapabilities() throws IOException {
        CredentialSyscall.clearCapabilities();
    }

    @Override
    public void setNoNewPrivs() throws IOException {
        Prctl.setNoNewPrivs();
    }

    @Override
    public List<String> restrictLandlock(LandlockPlan.Prepared prepared) throws IOException {
        return prepared.restrict();
    }

    @Override
    public void installSeccomp(byte[] filter) throws IOException {
        SeccompSyscall.setModeFilter(filter, 0);
    }

    @Override
    public int spawn(Spawn spawn) throws IOException {
        return spawn.start();
    }

    @Override
    public int spawnAndAwaitReady(IntFunction<Spawn> withReadyFd) throws IOException {
        byte[] said;
        int pid;
        try (Pipe ready = Pipe.open()) {
            pid = withReadyFd.apply(ready.writeEnd().number()).start();
            ready.writeEnd().close(); // the child's copy is the only writer left
            try (InputStream in = Pipe.inputStream(ready.readEnd())) {
                said = in.readNBytes(64);
            }
        }
        if (!new String(said, StandardCharsets.US_ASCII).startsWith("ok")) {
            String status;
            try {
                status = ProcessSyscall.waitFor(pid).toString();
            } catch (IOException e) {
                status = "status unknown: " + e.getMessage();
            }
            throw new IOException("the sandbox's init failed before it was ready (" + status + ")");
        }
        return pid;
    }

    @Override
    public void kill(int pid) {
        try {
            ProcessSyscall.kill(pid, ProcessSyscall.SIGKILL);
            ProcessSyscall.waitFor(pid);
        } catch (IOException e) {
            // Already gone: nothing left to clean up.
        }
    }

    @Override
    public Fd openDirectory(Path dir) throws IOException {
        return FileSyscall.open(dir, FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY | FileSyscall.O_CLOEXEC, 0);
    }

    @Override
    public void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(from)) {
            for (Path src : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(src);
                if (rel.toString().isEmpty()) {
                    continue;
                }
                Path dst = to.resolve(rel.toString());
                if (Files.isSymbolicLink(src)) {
                    Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
                } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(dst);
                } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(src, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    continue; // sockets and FIFOs are recreated by whoever owns them
                }
                Files.setAttribute(dst, "unix:uid", Files.getAttribute(src, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dst, "unix:gid", Files.getAttribute(src, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                        LinkOption.NOFOLLOW_LINKS);
                if (!Files.isSymbolicLink(src)) {
                    Files.setAttribute(dst, "unix:mode", Files.getAttribute(src, "unix:mode"));
                }
            }
        }
    }

    @Override
    public WaitStatus waitFor(int pid) throws IOException {
        return ProcessSyscall.waitFor(pid);
    }

    @Override
    public Collected spawnAndCollect(IntFunction<Spawn> withOutFd) throws IOException {
        byte[] out;
        int pid;
        try (Pipe pipe = Pipe.open()) {
            pid = withOutFd.apply(pipe.writeEnd().number()).start();
            pipe.writeEnd().close();
            try (InputStream in = Pipe.inputStream(pipe.readEnd())) {
                out = in.readNBytes(MAX_COLLECTED);
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return new Collected(ProcessSyscall.waitFor(pid), new String(out, StandardCharsets.UTF_8));
    }
}
