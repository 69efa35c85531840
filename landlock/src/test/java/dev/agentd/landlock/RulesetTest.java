package dev.agentd.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.landlock.LandlockRulesetException.Problem;
import dev.agentd.landlock.RestrictionStatus.Dropped;
import dev.agentd.landlock.RestrictionStatus.Reason;
import dev.agentd.linux.Errno;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compatibility logic and validation, against a pretend kernel of any ABI. */
class RulesetTest {
    @TempDir
    Path tmp;
    Path dir;
    Path file;

    @BeforeEach
    void layout() throws IOException {
        dir = Files.createDirectory(tmp.resolve("dir"));
        file = Files.writeString(tmp.resolve("file"), "x");
    }

    private static List<String> details(RestrictionStatus s) {
        return s.dropped().stream().map(Dropped::toString).toList();
    }

    @Test
    void restrictSelf_abi7_everythingEnforcedInOrder() throws IOException {
        FakeKernel k = new FakeKernel(7);
        RestrictionStatus s = k.ruleset()
                .handleAccess(AccessFs.fromAll(Abi.V7))
                .handleAccess(AccessNet.fromAll(Abi.V7))
                .scope(Scope.fromAll(Abi.V7))
                .restrictSelfFlags(RestrictSelfFlag.LOG_NEW_EXEC_ON)
                .create()
                .addRule(PathBeneath.of(dir, AccessFs.fromRead(Abi.V7)))
                .addRule(NetPort.of(443, AccessNet.CONNECT_TCP))
                .restrictSelf();
        // no_new_privs strictly before landlock_restrict_self; the descriptor closed last.
        assertEquals(List.of(
                "landlock_create_ruleset(fs=0xffff, net=0x3, scoped=0x3)",
                "landlock_add_rule(path=" + dir + ", access=0xd)",
                "landlock_add_rule(port=443, access=0x2)",
                "prctl(PR_SET_NO_NEW_PRIVS)",
                "landlock_restrict_self(flags=0x2)",
                "close(ruleset)"), k.calls);
        assertEquals(RulesetStatus.FULLY_ENFORCED, s.ruleset());
        assertEquals(Optional.of(Abi.V7), s.abi());
        assertEquals(AccessFs.fromAll(Abi.V7), s.handledAccessFs());
        assertEquals(AccessNet.fromAll(Abi.V7), s.handledAccessNet());
        assertEquals(Scope.fromAll(Abi.V7), s.scopes());
        assertEquals(EnumSet.of(RestrictSelfFlag.LOG_NEW_EXEC_ON), s.restrictSelfFlags());
        assertEquals(List.of(), s.dropped());
        assertTrue(s.noNewPrivs());
    }

    @Test
    void bestEffort_pretendAbi3_dropsIoctlNetAndScopesAndSaysSo() throws IOException {
        FakeKernel k = new FakeKernel(3);
        RestrictionStatus s = k.ruleset()
                .handleAccess(AccessFs.fromAll(Abi.V6))
                .handleAccess(AccessNet.fromAll(Abi.V6))
                .scope(Scope.fromAll(Abi.V6))
                .create()
                .addRule(PathBeneath.of(dir, AccessFs.fromAll(Abi.V6)))
                .addRule(NetPort.of(443, AccessNet.CONNECT_TCP))
                .restrictSelf();
        assertEquals(List.of(
                "landlock_create_ruleset(fs=0x7fff, net=0x0, scoped=0x0)",
                "landlock_add_rule(path=" + dir + ", access=0x7fff)",
                "prctl(PR_SET_NO_NEW_PRIVS)",
                "landlock_restrict_self(flags=0x0)",
                "close(ruleset)"), k.calls);
        assertEquals(RulesetStatus.PARTIALLY_ENFORCED, s.ruleset());
        assertEquals(Optional.of(Abi.V3), s.abi());
        assertEquals(AccessFs.fromAll(Abi.V3), s.handledAccessFs());
        assertEquals(EnumSet.noneOf(AccessNet.class), s.handledAccessNet());
        assertEquals(EnumSet.noneOf(Scope.class), s.scopes());
        String rule = PathBeneath.of(dir, AccessFs.fromAll(Abi.V6)).toString();
        assertEquals(List.of(
                "AccessFs.IOCTL_DEV: IOCTL_DEV needs ABI 5, kernel has 3",
                "AccessNet.BIND_TCP: BIND_TCP needs ABI 4, kernel has 3",
                "AccessNet.CONNECT_TCP: CONNECT_TCP needs ABI 4, kernel has 3",
                "Scope.ABSTRACT_UNIX_SOCKET: ABSTRACT_UNIX_SOCKET needs ABI 6, kernel has 3",
                "Scope.SIGNAL: SIGNAL needs ABI 6, kernel has 3",
                rule + ": removed from the rule: IOCTL_DEV needs ABI 5, kernel has 3",
                "NetPort[443 {CONNECT_TCP}]: rule skipped: CONNECT_TCP needs ABI 4, kernel has 3"), details(s));
        assertTrue(s.dropped().stream().allMatch(d -> d.reason() == Reason.KERNEL_LACKS));
    }

    @Test
    void softRequirement_pretendAbi3_restrictsNothingButSetsNoNewPrivs() throws IOException {
        FakeKernel k = new FakeKernel(3);
        RestrictionStatus s = k.ruleset()
                .compatibility(CompatLevel.SOFT_REQUIREMENT)
                .handleAccess(AccessFs.fromAll(Abi.V5))
                .create()
                .addRule(PathBeneath.of(dir, AccessFs.fromAll(Abi.V5)))
                .restrictSelf();
        assertEquals(List.of("prctl(PR_SET_NO_NEW_PRIVS)"), k.calls);
        assertEquals(RulesetStatus.NOT_ENFORCED, s.ruleset());
        assertFalse(s.isEnforced());
        assertTrue(s.noNewPrivs());
        assertEquals(EnumSet.noneOf(AccessFs.class), s.handledAccessFs());
        assertEquals(List.of(new Dropped("AccessFs.IOCTL_DEV", Reason.SOFT_REQUIREMENT_UNMET,
                "IOCTL_DEV needs ABI 5, kernel has 3; soft requirement, so nothing is enforced")), s.dropped());
    }

    @Test
    void hardRequirement_pretendAbi3_refusesNamingWhatIsMissing() {
        FakeKernel k = new FakeKernel(3);
        Ruleset r = k.ruleset()
                .compatibility(CompatLevel.HARD_REQUIREMENT)
                .handleAccess(AccessFs.fromAll(Abi.V5))
                .handleAccess(AccessNet.fromAll(Abi.V4));
        LandlockUnsupportedException e = assertThrows(LandlockUnsupportedException.class, r::create);
        assertEquals(List.of("AccessFs.IOCTL_DEV", "AccessNet.BIND_TCP", "AccessNet.CONNECT_TCP"), e.features());
        assertEquals(Abi.V5, e.requiredAbi());
        assertEquals(3, e.kernelAbiVersion());
        assertEquals("kernel lacks Landlock AccessFs.IOCTL_DEV, AccessNet.BIND_TCP, AccessNet.CONNECT_TCP:"
                + " needs ABI 5 (Linux 6.10), kernel has ABI 3", e.getMessage());
        assertEquals(List.of(), k.calls);
    }

    @Test
    void compatibility_appliesToWhatIsHandledAfterIt() throws IOException {
        // ABI 1 rights must be enforced; newer ones opportunistically (the Rust crate's example).
        Ruleset r = new FakeKernel(3).ruleset()
                .compatibility(CompatLevel.HARD_REQUIREMENT)
                .handleAccess(AccessFs.fromAll(Abi.V1))
                .compatibility(CompatLevel.BEST_EFFORT)
                .handleAccess(AccessFs.fromAll(Abi.V5));
        assertEquals(RulesetStatus.PARTIALLY_ENFORCED, r.create().restrictSelf().ruleset());

        Ruleset noLandlock = new FakeKernel(0).ruleset()
                .compatibility(CompatLevel.HARD_REQUIREMENT)
                .handleAccess(AccessFs.fromAll(Abi.V1))
                .compatibility(CompatLevel.BEST_EFFORT)
                .handleAccess(AccessFs.fromAll(Abi.V5));
        assertThrows(LandlockUnsupportedException.class, noLandlock::create);
    }

    @Test
    void compatibility_strictestLevelWinsForARightHandledTwice() {
        Ruleset r = new FakeKernel(3).ruleset()
                .handleAccess(AccessFs.IOCTL_DEV)
                .compatibility(CompatLevel.HARD_REQUIREMENT)
                .handleAccess(AccessFs.IOCTL_DEV)
                .compatibility(CompatLevel.BEST_EFFORT)
                .handleAccess(AccessFs.IOCTL_DEV);
        assertThrows(LandlockUnsupportedException.class, r::create);
    }

    @Test
    void ruleCompatibility_hardRuleOnBestEffortRulesetRefuses() throws IOException {
        FakeKernel k = new FakeKernel(3);
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.fromAll(Abi.V5)).create();
        PathBeneath rule = PathBeneath.of(dir, AccessFs.READ_FILE, AccessFs.IOCTL_DEV)
                .compatibility(CompatLevel.HARD_REQUIREMENT);
        LandlockUnsupportedException e = assertThrows(LandlockUnsupportedException.class,
                () -> created.addRule(rule));
        assertEquals("kernel lacks Landlock AccessFs.IOCTL_DEV: needs ABI 5 (Linux 6.10), kernel has ABI 3; in rule "
                + rule, e.getMessage());
        assertEquals(List.of("landlock_create_ruleset(fs=0x7fff, net=0x0, scoped=0x0)"), k.calls);
        // A rule the kernel fully supports still goes in.
        created.addRule(PathBeneath.of(dir, AccessFs.READ_FILE).compatibility(CompatLevel.HARD_REQUIREMENT));
        assertEquals("landlock_add_rule(path=" + dir + ", access=0x4)", k.calls.get(1));
    }

    @Test
    void ruleCompatibility_softRuleTheKernelLacksEnforcesNothing() throws IOException {
        FakeKernel k = new FakeKernel(3);
        RestrictionStatus s = k.ruleset()
                .handleAccess(AccessFs.fromAll(Abi.V3))
                .handleAccess(AccessNet.fromAll(Abi.V4))
                .create()
                .addRule(NetPort.of(443, AccessNet.CONNECT_TCP).compatibility(CompatLevel.SOFT_REQUIREMENT))
                .addRule(PathBeneath.of(dir, AccessFs.READ_FILE))
                .restrictSelf();
        assertEquals(List.of("landlock_create_ruleset(fs=0x7fff, net=0x0, scoped=0x0)", "close(ruleset)",
                "prctl(PR_SET_NO_NEW_PRIVS)"), k.calls);
        assertEquals(RulesetStatus.NOT_ENFORCED, s.ruleset());
        assertEquals("NetPort[443 {CONNECT_TCP} SOFT_REQUIREMENT]: CONNECT_TCP needs ABI 4, kernel has 3;"
                + " soft requirement, so nothing is enforced", details(s).get(details(s).size() - 1));
    }

    @Test
    void noLandlock_bestEffortEnforcesNothingAndSaysWhy() throws IOException {
        FakeKernel k = new FakeKernel(0);
        RestrictionStatus s = k.ruleset()
                .handleAccess(AccessFs.fromAll(Abi.V5))
                .create()
                .addRule(PathBeneath.of(dir, AccessFs.fromAll(Abi.V5)))
                .restrictSelf();
        assertEquals(List.of("prctl(PR_SET_NO_NEW_PRIVS)"), k.calls);
        assertEquals(RulesetStatus.NOT_ENFORCED, s.ruleset());
        assertEquals(Optional.empty(), s.abi());
        assertEquals(List.of(new Dropped("Landlock", Reason.LANDLOCK_UNAVAILABLE, FakeKernel.UNAVAILABLE)),
                s.dropped());
    }

    @Test
    void noLandlock_hardRequirementRefusesWithTheProbesReason() {
        Ruleset r = new FakeKernel(0).ruleset()
                .compatibility(CompatLevel.HARD_REQUIREMENT)
                .handleAccess(AccessFs.READ_FILE, AccessFs.WRITE_FILE);
        LandlockUnsupportedException e = assertThrows(LandlockUnsupportedException.class, r::create);
        assertEquals("kernel lacks Landlock AccessFs.WRITE_FILE, AccessFs.READ_FILE: needs ABI 1 (Linux 5.13),"
                + " kernel has none (" + FakeKernel.UNAVAILABLE + ")", e.getMessage());
        assertEquals(0, e.kernelAbiVersion());
    }

    @Test
    void bestEffort_nothingLeftAfterDroppingCreatesNoRuleset() throws IOException {
        FakeKernel k = new FakeKernel(3);
        RestrictionStatus s = k.ruleset().handleAccess(AccessNet.fromAll(Abi.V4)).create().restrictSelf();
        assertEquals(List.of("prctl(PR_SET_NO_NEW_PRIVS)"), k.calls);
        assertEquals(RulesetStatus.NOT_ENFORCED, s.ruleset());
        assertEquals(Reason.NOTHING_TO_ENFORCE, s.dropped().get(s.dropped().size() - 1).reason());
    }

    @Test
    void restrictSelfFlags_droppedOnAbi6WithoutWeakeningTheStatus() throws IOException {
        FakeKernel k = new FakeKernel(6);
        RestrictionStatus s = k.ruleset()
                .handleAccess(AccessFs.fromAll(Abi.V1))
                .restrictSelfFlags(RestrictSelfFlag.LOG_NEW_EXEC_ON)
                .create()
                .restrictSelf();
        assertEquals(RulesetStatus.FULLY_ENFORCED, s.ruleset());
        assertEquals(EnumSet.noneOf(RestrictSelfFlag.class), s.restrictSelfFlags());
        assertEquals(List.of("RestrictSelfFlag.LOG_NEW_EXEC_ON: LOG_NEW_EXEC_ON needs ABI 7, kernel has 6"),
                details(s));
        assertTrue(k.calls.contains("landlock_restrict_self(flags=0x0)"));
    }

    @Test
    void pathBeneath_fileKeepsOnlyFileRights() throws IOException {
        FakeKernel k = new FakeKernel(7);
        PathBeneath rule = PathBeneath.of(file, AccessFs.fromAll(Abi.V5));
        RestrictionStatus s = k.ruleset().handleAccess(AccessFs.fromAll(Abi.V5)).create().addRule(rule).restrictSelf();
        // EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
        assertEquals("landlock_add_rule(path=" + file + ", access=0xc007)", k.calls.get(1));
        assertEquals(RulesetStatus.FULLY_ENFORCED, s.ruleset());
        assertEquals(List.of(rule + ": {READ_DIR, REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK,"
                + " MAKE_FIFO, MAKE_BLOCK, MAKE_SYM, REFER} apply to directories only, and " + file + " is not one"),
                details(s));
        assertEquals(Reason.NOT_A_DIRECTORY, s.dropped().get(0).reason());
    }

    @Test
    void pathBeneath_fileWithOnlyDirectoryRightsIsSkipped() throws IOException {
        FakeKernel k = new FakeKernel(7);
        RestrictionStatus s = k.ruleset().handleAccess(AccessFs.fromAll(Abi.V5)).create()
                .addRule(PathBeneath.of(file, AccessFs.READ_DIR)).restrictSelf();
        assertTrue(k.calls.stream().noneMatch(c -> c.startsWith("landlock_add_rule")), k.calls.toString());
        assertTrue(details(s).get(0).contains("rule skipped: {READ_DIR} apply to directories only"), details(s).get(0));
    }

    @Test
    void pathBeneath_symlinkToDirectoryCountsAsDirectory() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        FakeKernel k = new FakeKernel(7);
        k.ruleset().handleAccess(AccessFs.fromAll(Abi.V5)).create()
                .addRule(PathBeneath.of(link, AccessFs.fromAll(Abi.V5)));
        assertEquals("landlock_add_rule(path=" + link + ", access=0xffff)", k.calls.get(1));
    }

    @Test
    void validation_nothingHandled() {
        LandlockRulesetException e = assertThrows(LandlockRulesetException.class,
                () -> new FakeKernel(7).ruleset().create());
        assertEquals(Problem.NOTHING_HANDLED, e.problem());
    }

    @Test
    void validation_emptySets() {
        assertEquals(Problem.EMPTY_ACCESS, assertThrows(LandlockRulesetException.class,
                () -> new FakeKernel(7).ruleset().handleAccess(EnumSet.noneOf(AccessFs.class))).problem());
        assertEquals(Problem.EMPTY_ACCESS, assertThrows(LandlockRulesetException.class,
                () -> PathBeneath.of(dir, EnumSet.noneOf(AccessFs.class))).problem());
        assertEquals(Problem.EMPTY_ACCESS, assertThrows(LandlockRulesetException.class,
                () -> NetPort.of(80, EnumSet.noneOf(AccessNet.class))).problem());
    }

    @Test
    void validation_ruleAccessMustBeHandled_whateverTheKernel() throws IOException {
        for (int abi : new int[] {0, 3, 7}) {
            FakeKernel k = new FakeKernel(abi);
            RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE).create();
            LandlockRulesetException e = assertThrows(LandlockRulesetException.class,
                    () -> created.addRule(PathBeneath.of(dir, AccessFs.READ_FILE, AccessFs.WRITE_FILE)));
            assertEquals(Problem.ACCESS_NOT_HANDLED, e.problem(), "abi " + abi);
            assertThrows(LandlockRulesetException.class,
                    () -> created.addRule(NetPort.of(80, AccessNet.BIND_TCP)), "abi " + abi);
            assertTrue(k.calls.stream().noneMatch(c -> c.startsWith("landlock_add_rule")));
        }
    }

    @Test
    void validation_missingPathIsNamed_whateverTheKernel() throws IOException {
        Path missing = tmp.resolve("missing");
        for (int abi : new int[] {0, 7}) {
            RulesetCreated created = new FakeKernel(abi).ruleset().handleAccess(AccessFs.READ_FILE).create();
            LandlockRulesetException e = assertThrows(LandlockRulesetException.class,
                    () -> created.addRule(PathBeneath.of(missing, AccessFs.READ_FILE)));
            assertEquals(Problem.MISSING_PATH, e.problem());
            assertEquals(Optional.of(missing), e.path());
            assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
        }
    }

    @Test
    void optionalRule_missingPathIsSkippedAndReported() throws IOException {
        Path missing = tmp.resolve("missing");
        FakeKernel k = new FakeKernel(7);
        PathBeneath rule = PathBeneath.of(missing, AccessFs.READ_FILE).optional();
        RestrictionStatus s = k.ruleset().handleAccess(AccessFs.READ_FILE).create().addRule(rule).restrictSelf();
        assertEquals(RulesetStatus.FULLY_ENFORCED, s.ruleset());
        assertEquals(List.of(new Dropped(rule.toString(), Reason.OPTIONAL_PATH_MISSING,
                "rule skipped: " + missing + " does not exist")), s.dropped());
        assertTrue(rule.toString().endsWith(" optional]"), rule.toString());
    }

    @Test
    void validation_portRange() {
        for (int port : new int[] {-1, 65536, Integer.MAX_VALUE}) {
            LandlockRulesetException e = assertThrows(LandlockRulesetException.class,
                    () -> NetPort.of(port, AccessNet.BIND_TCP));
            assertEquals(Problem.PORT_OUT_OF_RANGE, e.problem());
        }
        assertEquals(0, NetPort.of(0, AccessNet.BIND_TCP).port());
        assertEquals(65535, NetPort.of(65535, AccessNet.BIND_TCP).port());
    }

    @Test
    void lifecycle_restrictOnceThenNothing() throws IOException {
        RulesetCreated created = new FakeKernel(7).ruleset().handleAccess(AccessFs.READ_FILE).create();
        created.restrictSelf();
        assertThrows(IllegalStateException.class, created::restrictSelf);
        assertThrows(IllegalStateException.class, () -> created.addRule(PathBeneath.of(dir, AccessFs.READ_FILE)));
    }

    @Test
    void lifecycle_closeReleasesTheRulesetWithoutRestricting() throws IOException {
        FakeKernel k = new FakeKernel(7);
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE).create();
        created.close();
        created.close();
        assertThrows(IllegalStateException.class, created::restrictSelf);
        assertEquals(List.of("landlock_create_ruleset(fs=0x4, net=0x0, scoped=0x0)", "close(ruleset)"), k.calls);
    }

    @Test
    void kernelError_passesThroughAsSyscallExceptionWithContext() throws IOException {
        FakeKernel k = new FakeKernel(7).failing("landlock_add_rule", Errno.EINVAL);
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE).create();
        PathBeneath rule = PathBeneath.of(dir, AccessFs.READ_FILE);
        SyscallException e = assertThrows(SyscallException.class, () -> created.addRule(rule));
        assertTrue(e instanceof LandlockSyscallException);
        assertEquals("landlock_add_rule", e.syscall());
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("path=" + dir + ", access=0x4", e.context());
        assertTrue(e.getMessage().startsWith("landlock_add_rule failed: EINVAL (Invalid argument) (path=" + dir
                + ", access=0x4) while adding rule " + rule + "; hint: "), e.getMessage());
    }

    @Test
    void kernelError_restrictSelfEpermHintsAtNoNewPrivs() throws IOException {
        FakeKernel k = new FakeKernel(7).failing("landlock_restrict_self", Errno.EPERM);
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE).create();
        LandlockSyscallException e = assertThrows(LandlockSyscallException.class, created::restrictSelf);
        assertEquals(Optional.of("the thread has neither no_new_privs nor CAP_SYS_ADMIN"), e.hint());
        assertThrows(IllegalStateException.class, created::restrictSelf);
        assertEquals("close(ruleset)", k.calls.get(k.calls.size() - 1));
    }

    @Test
    void kernelError_noNewPrivsFailureStopsBeforeRestricting() throws IOException {
        FakeKernel k = new FakeKernel(7).failing("prctl", Errno.EINVAL);
        RulesetCreated created = k.ruleset().handleAccess(AccessFs.READ_FILE).create();
        assertThrows(LandlockSyscallException.class, created::restrictSelf);
        assertTrue(k.calls.stream().noneMatch(c -> c.startsWith("landlock_restrict_self")), k.calls.toString());
    }

    @Test
    void kernelError_eafnosupportOnNetRuleIsIgnorableByName() throws IOException {
        FakeKernel k = new FakeKernel(7).failing("landlock_add_rule", Errno.EAFNOSUPPORT);
        RestrictionStatus s = k.ruleset().handleAccess(AccessNet.BIND_TCP).create()
                .addRule(NetPort.of(8080, AccessNet.BIND_TCP)).restrictSelf();
        assertEquals(RulesetStatus.FULLY_ENFORCED, s.ruleset());
        assertEquals(Reason.TCP_UNSUPPORTED, s.dropped().get(0).reason());
    }

    @Test
    void ruleset_isImmutable() {
        Ruleset empty = new FakeKernel(7).ruleset();
        Ruleset withFs = empty.handleAccess(AccessFs.READ_FILE);
        Ruleset hard = withFs.compatibility(CompatLevel.HARD_REQUIREMENT);
        assertNotSame(empty, withFs);
        assertTrue(empty.handledAccessFs().isEmpty());
        assertEquals(EnumSet.of(AccessFs.READ_FILE), withFs.handledAccessFs());
        assertEquals(CompatLevel.BEST_EFFORT, withFs.compatibility());
        assertEquals(CompatLevel.HARD_REQUIREMENT, hard.compatibility());
        assertThrows(UnsupportedOperationException.class, () -> withFs.handledAccessFs().clear());
    }

    @Test
    void rules_areValues() {
        assertEquals(PathBeneath.of(dir, AccessFs.READ_FILE), PathBeneath.of(dir, EnumSet.of(AccessFs.READ_FILE)));
        assertEquals("PathBeneath[" + dir + " {EXECUTE, READ_FILE}]",
                PathBeneath.of(dir, AccessFs.READ_FILE, AccessFs.EXECUTE).toString());
        assertEquals("NetPort[443 {BIND_TCP, CONNECT_TCP} HARD_REQUIREMENT]",
                NetPort.of(443, AccessNet.fromAll(Abi.V4)).compatibility(CompatLevel.HARD_REQUIREMENT).toString());
    }
}
