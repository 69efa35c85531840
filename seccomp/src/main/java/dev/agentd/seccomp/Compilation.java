package dev.agentd.seccomp;

/**
 * The result of {@link Seccomp#compile}: the program and what the compiler
 * did to get it.
 *
 * @param program the filter, ready for {@link SeccompFilter#installOnCurrentThread(BpfProgram)}
 * @param report  skipped names, rules left out, sizes and notes
 */
public record Compilation(BpfProgram program, CompileReport report) {}
