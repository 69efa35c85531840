package dev.agentd.seccomp;

/**
 * The outcome of running a filter on one {@link SeccompData}.
 *
 * @param returnValue the raw 32-bit value the program returned
 * @param action      what the kernel does with it
 * @param steps       instructions executed, the return included
 */
public record Evaluation(int returnValue, Action action, int steps) {}
