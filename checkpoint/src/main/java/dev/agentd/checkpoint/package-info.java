/**
 * Checkpoint and restore of agents with CRIU: the parts that need no kernel.
 *
 * <ul>
 *   <li>{@link dev.agentd.checkpoint.Criu} finds the {@code criu} binary, refuses one
 *       older than 4.0 and answers feature checks;</li>
 *   <li>{@link dev.agentd.checkpoint.CriuCommand} builds the {@code dump},
 *       {@code pre-dump} and {@code restore} command lines;</li>
 *   <li>{@link dev.agentd.checkpoint.CriuLog} extracts the lines of a CRIU log that
 *       explain a failure;</li>
 *   <li>{@link dev.agentd.checkpoint.CheckpointArchive} turns a checkpoint into one
 *       verifiable tar file and back, for migration between hosts.</li>
 * </ul>
 *
 * Every failure is a {@link dev.agentd.checkpoint.CheckpointException} (an
 * {@link java.io.IOException}) whose message says what to do; caller mistakes are
 * {@link java.lang.IllegalArgumentException}s.
 */
package dev.agentd.checkpoint;
