/**
 * Typed bindings for the Linux system calls agentd needs — the only module that touches jnr-ffi.
 *
 * <p>Public API, by area:
 * <ul>
 *   <li>errors: {@link dev.agentd.linux.SyscallException} (syscall, {@link dev.agentd.linux.Errno}, context;
 *       {@code toJdk()} maps ENOENT/EACCES/EEXIST/ENOTDIR to the JDK's file exceptions);</li>
 *   <li>tables: {@link dev.agentd.linux.Arch} — x86_64 and aarch64 syscall numbers (each table cites its
 *       kernel header) and {@code AUDIT_ARCH} values;</li>
 *   <li>processes: {@link dev.agentd.linux.Spawn} ({@code posix_spawn} with file actions),
 *       {@link dev.agentd.linux.ProcessSyscall} (gettid, kill, waitpid, pidfd), {@link dev.agentd.linux.WaitStatus};</li>
 *   <li>per-thread restrictions: {@link dev.agentd.linux.NamespaceSyscall}, {@link dev.agentd.linux.MountSyscall},
 *       {@link dev.agentd.linux.CredentialSyscall} (raw, per-thread setresuid & co.), {@link dev.agentd.linux.Prctl},
 *       {@link dev.agentd.linux.LandlockSyscall}, {@link dev.agentd.linux.SeccompSyscall};</li>
 *   <li>other: {@link dev.agentd.linux.FileSyscall}, {@link dev.agentd.linux.Fd}, {@link dev.agentd.linux.NetSyscall},
 *       {@link dev.agentd.linux.ResourceLimitSyscall}.</li>
 * </ul>
 *
 * <p>libc is loaded lazily, once, on first use: a JVM that never makes a syscall through this module
 * never pays jnr-ffi's start-up cost. No raw return value or {@code Pointer} leaves the module.
 */
package dev.agentd.linux;
