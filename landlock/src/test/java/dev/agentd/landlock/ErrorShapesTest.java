package dev.agentd.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.landlock.LandlockRulesetException.Problem;
import dev.agentd.linux.Errno;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the two error families — "the kernel lacks this" and "the caller asked
 * for nonsense" — plus the kernel's own failures: their types, their accessors
 * and their message text. Callers match on these; change them deliberately.
 */
class ErrorShapesTest {
    @Test
    void kernelLacks_isACheckedIOExceptionWithFeatureAndAbis() {
        LandlockUnsupportedException e = new LandlockUnsupportedException(List.of("AccessFs.IOCTL_DEV"), Abi.V5, 3,
                null, null);
        assertTrue(IOException.class.isAssignableFrom(e.getClass()));
        assertFalse(RuntimeException.class.isAssignableFrom(e.getClass()));
        assertEquals("kernel lacks Landlock AccessFs.IOCTL_DEV: needs ABI 5 (Linux 6.10), kernel has ABI 3",
                e.getMessage());
        assertEquals("AccessFs.IOCTL_DEV", e.feature());
        assertEquals(Abi.V5, e.requiredAbi());
        assertEquals(3, e.kernelAbiVersion());
    }

    @Test
    void kernelLacks_landlockAsAWhole() {
        LandlockUnsupportedException e = LandlockUnsupportedException.unavailable(
                "switched off with -Ddev.agentd.landlock.disabled=true", null);
        assertEquals("kernel lacks Landlock: needs ABI 1 (Linux 5.13), kernel has none"
                + " (switched off with -Ddev.agentd.landlock.disabled=true)", e.getMessage());
        assertEquals("Landlock", e.feature());
        assertEquals(List.of(), e.features());
        assertEquals(0, e.kernelAbiVersion());
    }

    @Test
    void callerNonsense_isAnUncheckedIllegalArgumentWithAProblem() {
        Path p = Path.of("/nonexistent/agentd-landlock-test");
        LandlockRulesetException missing = new LandlockRulesetException(Problem.MISSING_PATH,
                "rule " + PathBeneath.of(p, AccessFs.READ_FILE), p + " does not exist", p, new NoSuchFileException(p.toString()));
        assertTrue(IllegalArgumentException.class.isAssignableFrom(missing.getClass()));
        assertFalse(IOException.class.isAssignableFrom(missing.getClass()));
        assertEquals("invalid Landlock rule PathBeneath[/nonexistent/agentd-landlock-test {READ_FILE}]:"
                + " /nonexistent/agentd-landlock-test does not exist", missing.getMessage());
        assertEquals(Problem.MISSING_PATH, missing.problem());
        assertEquals(p, missing.path().orElseThrow());
        assertTrue(missing.getCause() instanceof NoSuchFileException);
    }

    @Test
    void callerNonsense_messagesFromTheApi() throws IOException {
        FakeKernel k = new FakeKernel(7);
        assertEquals("invalid Landlock ruleset: it handles no access right and no scope;"
                + " call handleAccess() or scope() first",
                assertThrows(LandlockRulesetException.class, () -> k.ruleset().create()).getMessage());
        assertEquals("invalid Landlock rule NetPort[70000 {BIND_TCP}]: port 70000 is outside 0..65535",
                assertThrows(LandlockRulesetException.class, () -> NetPort.of(70000, AccessNet.BIND_TCP))
                        .getMessage());
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE, AccessFs.READ_DIR).create();
        assertEquals("invalid Landlock rule PathBeneath[/ {WRITE_FILE, READ_FILE}]: {WRITE_FILE} not handled by the"
                + " ruleset (it handles {READ_FILE, READ_DIR})",
                assertThrows(LandlockRulesetException.class,
                        () -> created.addRule(PathBeneath.of(Path.of("/"), AccessFs.READ_FILE, AccessFs.WRITE_FILE)))
                        .getMessage());
        assertEquals("invalid Landlock rule PathBeneath[/nonexistent/agentd {READ_FILE}]: /nonexistent/agentd does not"
                + " exist (mark the rule optional() to skip it instead)",
                assertThrows(LandlockRulesetException.class,
                        () -> created.addRule(PathBeneath.of(Path.of("/nonexistent/agentd"), AccessFs.READ_FILE)))
                        .getMessage());
    }

    @Test
    void kernelFailure_isTheSyscallExceptionWithStepAndHint() {
        SyscallException raw = new SyscallException("landlock_restrict_self", Errno.E2BIG.number(), "flags=0");
        LandlockSyscallException e = new LandlockSyscallException(raw, "restricting the calling thread",
                "the thread already has 16 stacked Landlock domains, the kernel's limit");
        assertTrue(SyscallException.class.isAssignableFrom(e.getClass()));
        assertSame(raw, e.getCause());
        assertEquals(Errno.E2BIG, e.errno());
        assertEquals("landlock_restrict_self", e.syscall());
        assertEquals("flags=0", e.context());
        assertEquals("landlock_restrict_self failed: E2BIG (Argument list too long) (flags=0) while restricting the"
                + " calling thread; hint: the thread already has 16 stacked Landlock domains, the kernel's limit",
                e.getMessage());
    }

    @Test
    void families_doNotOverlap() {
        assertFalse(LandlockUnsupportedException.class.isAssignableFrom(LandlockRulesetException.class));
        assertFalse(SyscallException.class.isAssignableFrom(LandlockUnsupportedException.class));
        assertFalse(IllegalArgumentException.class.isAssignableFrom(LandlockSyscallException.class));
    }
}
