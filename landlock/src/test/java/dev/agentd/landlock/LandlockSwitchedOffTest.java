package dev.agentd.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The switch-off property, end to end through the public API. Surefire runs
 * each test class in its own JVM, so setting the property here, before the
 * probe first runs, affects this class only.
 */
class LandlockSwitchedOffTest {
    static {
        System.setProperty(Landlock.DISABLE_PROPERTY, "true");
    }

    @Test
    void probe_reportsSwitchedOff() {
        assertFalse(Landlock.isAvailable());
        assertEquals(0, Landlock.abiVersion());
        assertEquals(Optional.empty(), Abi.current());
        LandlockUnsupportedException cause = Landlock.unavailabilityCause();
        assertEquals("kernel lacks Landlock: needs ABI 1 (Linux 5.13), kernel has none"
                + " (switched off with -Ddev.agentd.landlock.disabled=true)", cause.getMessage());
        assertThrows(LandlockUnsupportedException.class, Landlock::ensureAvailability);
    }

    @Test
    void ruleset_bestEffortEnforcesNothingAndHardRefuses() throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        // restrictSelf sets no_new_privs on the calling thread: use a throwaway one.
        Thread t = new Thread(() -> {
            try {
                result.set(new Ruleset().handleAccess(AccessFs.fromAll(Abi.V1)).create().restrictSelf());
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        t.join();
        RestrictionStatus s = (RestrictionStatus) result.get();
        assertEquals(RulesetStatus.NOT_ENFORCED, s.ruleset());
        assertTrue(s.noNewPrivs());
        assertEquals(RestrictionStatus.Reason.LANDLOCK_UNAVAILABLE, s.dropped().get(0).reason());

        Ruleset hard = new Ruleset().compatibility(CompatLevel.HARD_REQUIREMENT).handleAccess(AccessFs.READ_FILE);
        assertThrows(LandlockUnsupportedException.class, hard::create);
    }
}
