/**
 * Landlock rulesets for Linux (ABI 1 to 7), in the shape of the Rust landlock
 * crate: a {@link dev.agentd.landlock.Ruleset} says what is handled (denied by
 * default), {@link dev.agentd.landlock.Ruleset#create()} makes it a
 * {@link dev.agentd.landlock.RulesetCreated} that takes rules (exceptions),
 * and {@link dev.agentd.landlock.RulesetCreated#restrictSelf()} confines the
 * calling thread and everything it starts, returning a
 * {@link dev.agentd.landlock.RestrictionStatus} that says exactly what is
 * enforced and what was dropped.
 *
 * <h2>API</h2>
 * <ul>
 * <li>{@link dev.agentd.landlock.Abi} — ABI versions, with the kernel that
 *     introduced each; {@link dev.agentd.landlock.Landlock} — the once-per-JVM
 *     probe ({@code isAvailable()}, {@code unavailabilityCause()}, the
 *     {@code dev.agentd.landlock.disabled} switch).</li>
 * <li>{@link dev.agentd.landlock.AccessFs}, {@link dev.agentd.landlock.AccessNet},
 *     {@link dev.agentd.landlock.Scope},
 *     {@link dev.agentd.landlock.RestrictSelfFlag} — what can be handled, with
 *     sets built for a pinned ABI ({@code AccessFs.fromAll(Abi.V5)}), never
 *     "whatever this kernel has".</li>
 * <li>{@link dev.agentd.landlock.PathBeneath}, {@link dev.agentd.landlock.NetPort}
 *     — rules, immutable values.</li>
 * <li>{@link dev.agentd.landlock.CompatLevel} — best effort, soft or hard
 *     requirement: what to do when the kernel lacks something. Nothing the
 *     kernel lacks is ever dropped without being reported.</li>
 * <li>Errors: {@link dev.agentd.landlock.LandlockUnsupportedException} (checked:
 *     the kernel lacks this), {@link dev.agentd.landlock.LandlockRulesetException}
 *     (unchecked: the request makes no sense on any kernel) and
 *     {@link dev.agentd.landlock.LandlockSyscallException} (the kernel's own
 *     failure, a {@code SyscallException} with context and a hint).</li>
 * </ul>
 *
 * <pre>{@code
 * Abi abi = Abi.V5; // the ABI this code was written and tested for
 * RestrictionStatus status = new Ruleset()
 *         .handleAccess(AccessFs.fromAll(abi))
 *         .create()
 *         .addRule(PathBeneath.of(Path.of("/usr"), AccessFs.fromRead(abi)))
 *         .addRule(PathBeneath.of(Path.of("/lib64"), AccessFs.fromRead(abi)).optional())
 *         .addRule(PathBeneath.of(workDir, AccessFs.fromAll(abi)))
 *         .restrictSelf();
 * if (status.ruleset() != RulesetStatus.FULLY_ENFORCED) {
 *     log.warn("sandbox weaker than asked: {}", status.dropped());
 * }
 * }</pre>
 *
 * <p>Landlock domains belong to a thread. In a JVM, restrict a dedicated
 * platform thread that then only starts the sandboxed process (posix_spawn
 * from that thread makes the child inherit the domain); the JVM's other
 * threads are untouched. Load every class that thread needs before it
 * restricts itself.
 *
 * <p>Constants: Linux uapi {@code include/uapi/linux/landlock.h} (see the
 * package-private {@code Uapi}); behaviour: Linux
 * {@code Documentation/userspace-api/landlock.rst}.
 */
package dev.agentd.landlock;
