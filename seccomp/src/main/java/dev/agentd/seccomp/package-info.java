/**
 * Seccomp-BPF for Java: read OCI / Docker seccomp profiles, compile them to
 * classic BPF in pure Java, check and dry-run the result with an
 * interpreter, read it with a disassembler, and install it on the calling
 * thread.
 *
 * <ul>
 * <li>{@link dev.agentd.seccomp.SeccompProfile} — the profile model;
 *     {@code SeccompProfile.parse(json, source)} reports mistakes with their
 *     place ({@link dev.agentd.seccomp.ProfileException}).</li>
 * <li>{@link dev.agentd.seccomp.Seccomp#compile(SeccompProfile, Target)} —
 *     a {@link dev.agentd.seccomp.Compilation}: the
 *     {@link dev.agentd.seccomp.BpfProgram} and a
 *     {@link dev.agentd.seccomp.CompileReport}. A {@link dev.agentd.seccomp.Target}
 *     names the architecture, the capabilities held and the kernel version
 *     Docker's conditions are decided against.</li>
 * <li>{@link dev.agentd.seccomp.BpfProgram#evaluate(SeccompData)} — dry run
 *     of one call; {@link dev.agentd.seccomp.BpfProgram#dump()} — listing;
 *     {@link dev.agentd.seccomp.BpfProgram#toBytes(java.nio.ByteOrder)} —
 *     {@code struct sock_filter[]}.</li>
 * <li>{@link dev.agentd.seccomp.SeccompFilter#installOnCurrentThread(BpfProgram)}
 *     — the only part that touches the kernel (through {@code dev.agentd.linux}).</li>
 * <li>{@link dev.agentd.seccomp.SeccompProfiles#agentDefault()} — the
 *     built-in profile for agentd's agents.</li>
 * </ul>
 *
 * <p>Every {@code BpfProgram} passed the kernel's own seccomp checks when it
 * was made, and every compiled one admits exactly one architecture.
 */
package dev.agentd.seccomp;
