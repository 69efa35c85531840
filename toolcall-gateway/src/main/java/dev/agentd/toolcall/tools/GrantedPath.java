package dev.agentd.toolcall.tools;

import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Errno;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.Openat2;
import dev.agentd.linux.SyscallException;
import dev.agentd.toolcall.ToolContext;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolRefusedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A path an agent named, checked lexically, authorized against one of its
 * {@code file_read}/{@code file_write} grants, and split into that grant's
 * root directory and the rest.
 *
 * <p>The split is what makes the grant the boundary: every open is an
 * {@code openat2} of {@link #relative()} beneath a descriptor of {@link #root()}
 * with {@link #RESOLVE}, so the kernel — not string checks that an agent could
 * race by renaming directories — keeps the lookup inside the granted tree.
 * For a subtree grant {@code /x/**} the root is {@code /x}; for an exact grant
 * {@code /x/f} it is {@code /x} and the only allowed relative path is {@code f}
 * (the root's other entries are reachable lexically, never by the kernel
 * lookup, because the relative path is fixed by the grant).
 */
final class GrantedPath {
    /**
     * Beneath the root, no symlink in any component (the last included), no
     * magic link ({@code /proc/PID/root}, {@code /proc/PID/fd/N}). NO_XDEV is
     * left out on purpose: mount points inside a workspace are the admin's doing
     * (the agent mounts only in its own namespace, which agentd does not see).
     */
    static final long RESOLVE = Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_SYMLINKS | Openat2.RESOLVE_NO_MAGICLINKS;

    private static final String SUBTREE = "/**";
    /** PATH_MAX (uapi linux/limits.h) including the NUL. */
    private static final int PATH_MAX = 4096;

    private final String path;
    private final Grant grant;
    private final Path root;
    private final String relative;

    private GrantedPath(String path, Grant grant, Path root, String relative) {
        this.path = path;
        this.grant = grant;
        this.root = root;
        this.relative = relative;
    }

    /** The normalised absolute path the agent asked for. */
    String path() {
        return path;
    }

    /** The grant the broker allowed the access under. */
    Grant grant() {
        return grant;
    }

    /** The directory every lookup is anchored beneath. */
    Path root() {
        return root;
    }

    /** The path below {@link #root()}; empty when the path is the root itself. */
    String relative() {
        return relative;
    }

    /**
     * Checks {@code raw} lexically, finds a grant of {@code kind} that covers it
     * (refusing before consuming anything when none does), then asks the broker,
     * which consumes one invocation of the grant it picks.
     *
     * @throws ToolRefusedException when the path is malformed or no grant allows it
     */
    static GrantedPath authorize(ToolContext ctx, GrantKind kind, String raw) throws ToolException {
        GrantedPath g = authorizeInSandbox(ctx, kind, raw);
        Path host = ctx.hostPath(g.root);
        return host.equals(g.root) ? g : new GrantedPath(g.path, g.grant, host, g.relative);
    }

    /** The check itself, in the agent's own terms: its path, its grants. */
    private static GrantedPath authorizeInSandbox(ToolContext ctx, GrantKind kind, String raw) throws ToolException {
        String path = normalize(raw);
        List<Grant> held = ctx.grants(kind);
        if (held.stream().noneMatch(g -> covers(g.value(), path))) {
            // No live grant: the broker may still hold one that is used up or
            // expired, and its reason ("exhausted: 1 of 1 invocations used") is
            // the truth to tell. A denial consumes nothing.
            Decision why = ctx.authorize(kind, path);
            if (why instanceof Decision.Denied denied && !denied.reason().startsWith("no grant")) {
                throw new ToolRefusedException(kind.key() + " " + path + " denied: " + denied.reason());
            }
            String names = held.isEmpty() ? "none"
                    : held.stream().map(Grant::value).collect(Collectors.joining(", "));
            throw new ToolRefusedException("no " + kind.key() + " grant covers " + path + " (" + kind.key() + " grants: "
                    + names + ")");
        }
        Decision d = ctx.authorize(kind, path);
        if (!(d instanceof Decision.Allowed allowed)) {
            throw new ToolRefusedException(kind.key() + " " + path + " denied: " + ((Decision.Denied) d).reason());
        }
        Grant g = allowed.grant();
        // The broker and this class implement the same coverage rules; if they ever
        // disagree, the narrower reading wins: refuse rather than open beneath a
        // root that does not contain the path.
        if (g.kind() != kind || !covers(g.value(), path)) {
            throw new ToolRefusedException(kind.key() + " " + path + " refused: the broker allowed it under "
                    + g.describe() + ", which does not cover it by the file tools' rules");
        }
        return split(path, g);
    }

    private static GrantedPath split(String path, Grant g) {
        String v = g.value();
        if (v.endsWith(SUBTREE)) {
            String base = v.substring(0, v.length() - SUBTREE.length());
            Path root = Path.of(base.isEmpty() ? "/" : base);
            // "/x/a/b" under "/x/**" is "a/b"; "/x" itself is "" (also for "/" under "/**").
            String rel = path.length() <= base.length() + 1 ? "" : path.substring(base.length() + 1);
            return new GrantedPath(path, g, root, rel);
        }
        if (v.equals("/")) {
            return new GrantedPath(path, g, Path.of("/"), "");
        }
        int slash = v.lastIndexOf('/');
        return new GrantedPath(path, g, Path.of(slash == 0 ? "/" : v.substring(0, slash)), v.substring(slash + 1));
    }

    /**
     * The canonical spelling of an agent's path: absolute, empty and {@code .}
     * segments dropped (they name the same directory whatever the file system
     * holds), and refused when it contains NUL, {@code ..} (its meaning depends
     * on symlinks, so it is never resolved, even when it would stay inside) or
     * {@code *} (reserved by the grant syntax {@code /x/**}).
     */
    static String normalize(String raw) throws ToolException {
        String shown = "\"" + Json.printable(raw) + "\"";
        if (raw.indexOf('\0') >= 0) {
            throw new ToolRefusedException("path " + shown + " contains a NUL byte");
        }
        if (!raw.startsWith("/")) {
            throw new ToolRefusedException("path " + shown + " is relative: expected an absolute path such as /work/notes.txt");
        }
        if (raw.length() >= PATH_MAX) {
            throw new ToolRefusedException("path is longer than PATH_MAX (" + PATH_MAX + " bytes)");
        }
        List<String> segments = new ArrayList<>();
        for (String s : raw.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                throw new ToolRefusedException("path " + shown + " contains \"..\": name the path without it"
                        + " (\"..\" is never resolved, even when it would stay inside a grant)");
            }
            if (s.indexOf('*') >= 0) {
                throw new ToolRefusedException("path " + shown + " contains '*': file tools take one exact path, no wildcards");
            }
            segments.add(s);
        }
        return "/" + String.join("/", segments);
    }

    /** The broker's rule: {@code /x/**} covers {@code /x} and everything below; {@code /x} only itself. */
    static boolean covers(String grantValue, String path) {
        if (grantValue.endsWith(SUBTREE)) {
            String base = grantValue.substring(0, grantValue.length() - SUBTREE.length());
            return path.equals(base.isEmpty() ? "/" : base) || path.startsWith(base + "/");
        }
        return grantValue.equals(path);
    }

    /**
     * The grant's root directory, opened without following any symlink in its
     * own path: if an agent could replace a directory on the way to the root by
     * a symlink (to {@code /etc}, say), "beneath the root" would mean beneath
     * {@code /etc}. A grant naming a path through a symlink is refused; the
     * admin should name the real path.
     */
    Fd openRoot() throws ToolException {
        try {
            return Openat2.openDirectoryNoSymlinks(root);
        } catch (SyscallException e) {
            if (e.is(Errno.ELOOP)) {
                throw new ToolRefusedException("the root " + root + " of " + grant.describe()
                        + " goes through a symlink; the grant must name the real path (symlinks are not followed)");
            }
            throw failure("open the root of " + grant.describe(), root.toString(), e);
        } catch (IllegalArgumentException e) {
            throw new ToolException("the root " + root + " of " + grant.describe() + " is unusable: " + e.getMessage());
        }
    }

    /** {@code openat2} of the whole relative path beneath the root ({@code .} for the root itself). */
    Fd open(int flags, int mode) throws ToolException {
        try (Fd rootFd = openRoot()) {
            return Openat2.openat2(rootFd, relative.isEmpty() ? "." : relative, flags, mode, RESOLVE);
        } catch (SyscallException e) {
            throw failure("open", path, e);
        }
    }

    /** The last component of the path; refused for the grant's root itself (it has no parent beneath the root). */
    String fileName() throws ToolException {
        if (relative.isEmpty()) {
            throw new ToolException(path + " is the root of " + grant.describe() + ", not a file inside it");
        }
        return relative.substring(relative.lastIndexOf('/') + 1);
    }

    /** The directory holding {@link #fileName()}, opened beneath the root. */
    Fd openParent() throws ToolException {
        fileName();
        int slash = relative.lastIndexOf('/');
        String parent = slash < 0 ? "." : relative.substring(0, slash);
        try (Fd rootFd = openRoot()) {
            return Openat2.openat2(rootFd, parent, FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY, 0, RESOLVE);
        } catch (SyscallException e) {
            throw failure("open the parent directory of", path, e);
        }
    }

    /** A kernel refusal in words the agent can act on; the errno stays in the message for people. */
    static ToolException failure(String op, String path, SyscallException e) {
        Errno errno = e.errno();
        String why;
        if (errno == null) {
            why = e.getMessage();
        } else {
            why = switch (errno) {
                case ELOOP -> "symlinks are not followed (a component of the path is a symlink or a magic link)";
                case EXDEV -> "the path escapes the granted directory";
                case ENOENT -> "no such file or directory";
                case ENOTDIR -> "a component of the path is not a directory";
                case EISDIR -> "it is a directory";
                case EEXIST -> "it already exists";
                case EACCES, EPERM -> "permission denied";
                case EROFS -> "read-only file system";
                case ENXIO -> "not a regular file (a FIFO or socket nobody serves)";
                case ENOSPC, EDQUOT -> "no space left (disk or quota full)";
                case ENAMETOOLONG -> "a name in the path is too long";
                case ENOSYS -> "this kernel lacks openat2 (Linux 5.6+); file tools do not fall back to open";
                default -> e.getMessage();
            };
        }
        String text = op + " " + path + ": " + why + " [" + e.syscall() + ": " + Errno.nameOf(e.errnoNumber()) + "]";
        // The kernel kept the lookup inside the grant: a refusal of the path, not a failure of the file system.
        return errno == Errno.ELOOP || errno == Errno.EXDEV ? new ToolRefusedException(text, e) : new ToolException(text, e);
    }
}
