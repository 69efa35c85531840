package dev.agentd.landlock;

import dev.agentd.landlock.RestrictionStatus.Dropped;
import dev.agentd.landlock.RestrictionStatus.Reason;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves a request against the kernel's ABI under the {@link CompatLevel}s
 * it was made with: what to enforce, what to drop (and report), what to refuse.
 * Pure logic: no system calls, so it is unit-tested on any machine.
 */
final class Compat {
    private final Probe probe;
    private final List<Dropped> dropped;
    private final List<String> hard = new ArrayList<>();
    private Abi hardNeeds;
    private boolean softUnmet;

    Compat(Probe probe, List<Dropped> dropped) {
        this.probe = probe;
        this.dropped = dropped;
    }

    int kernelAbi() {
        return probe.abiVersion();
    }

    /**
     * The items of {@code requested} the kernel can enforce. Lacking ones are
     * dropped (best effort; reported when the kernel has Landlock at all —
     * without it one "Landlock unavailable" entry says everything), mark the
     * soft requirement unmet, or are collected for {@link #throwIfHardUnmet()}.
     */
    <E extends Enum<E>> EnumSet<E> resolve(Map<E, CompatLevel> requested, Class<E> type, Function<E, Abi> abiOf) {
        EnumSet<E> enforced = EnumSet.noneOf(type);
        for (Map.Entry<E, CompatLevel> e : requested.entrySet()) {
            E item = e.getKey();
            Abi needs = abiOf.apply(item);
            if (kernelAbi() >= needs.version()) {
                enforced.add(item);
                continue;
            }
            String what = qualified(item);
            String detail = needs(List.of(item), abiOf);
            switch (e.getValue()) {
                case HARD_REQUIREMENT:
                    addHard(what, needs);
                    break;
                case SOFT_REQUIREMENT:
                    softUnmet = true;
                    if (kernelAbi() > 0) {
                        dropped.add(new Dropped(what, Reason.SOFT_REQUIREMENT_UNMET,
                                detail + "; soft requirement, so nothing is enforced"));
                    }
                    break;
                default:
                    if (kernelAbi() > 0) {
                        dropped.add(new Dropped(what, Reason.KERNEL_LACKS, detail));
                    }
            }
        }
        return enforced;
    }

    private void addHard(String what, Abi needs) {
        hard.add(what);
        if (hardNeeds == null || needs.version() > hardNeeds.version()) {
            hardNeeds = needs;
        }
    }

    boolean softUnmet() {
        return softUnmet;
    }

    /** Refuses when a hard requirement is not met, naming every missing item. */
    void throwIfHardUnmet() throws LandlockUnsupportedException {
        if (!hard.isEmpty()) {
            throw unsupported(hard, hardNeeds);
        }
    }

    /** The kernel lacks {@code features}, which need {@code needs}. */
    LandlockUnsupportedException unsupported(List<String> features, Abi needs) {
        return new LandlockUnsupportedException(features, needs, kernelAbi(), probe.why(), probe.cause());
    }

    /** The kernel lacks {@code items} of {@code rule}, which is a hard requirement. */
    <E extends Enum<E>> LandlockUnsupportedException unsupported(Rule rule, Iterable<E> items, Function<E, Abi> abiOf) {
        List<String> features = new ArrayList<>();
        items.forEach(i -> features.add(qualified(i)));
        return new LandlockUnsupportedException(features, highest(items, abiOf), kernelAbi(), probe.why(),
                probe.cause(), "rule " + rule);
    }

    /** E.g. {@code AccessFs.IOCTL_DEV}. */
    static String qualified(Enum<?> item) {
        return item.getDeclaringClass().getSimpleName() + "." + item.name();
    }

    /** E.g. {@code IOCTL_DEV needs ABI 5, kernel has 3}. */
    <E extends Enum<E>> String needs(Iterable<E> items, Function<E, Abi> abiOf) {
        StringBuilder b = new StringBuilder();
        for (E item : items) {
            b.append(item.name()).append(" needs ABI ").append(abiOf.apply(item).version()).append(", ");
        }
        return b.append("kernel has ").append(kernelAbi() > 0 ? String.valueOf(kernelAbi()) : "none").toString();
    }

    /** The items of {@code items} that the kernel lacks. */
    <E extends Enum<E>> EnumSet<E> lacking(EnumSet<E> items, Function<E, Abi> abiOf) {
        EnumSet<E> lacking = EnumSet.copyOf(items);
        lacking.removeIf(i -> kernelAbi() >= abiOf.apply(i).version());
        return lacking;
    }

    static <E extends Enum<E>> Abi highest(Iterable<E> items, Function<E, Abi> abiOf) {
        Abi max = Abi.V1;
        for (E i : items) {
            if (abiOf.apply(i).version() > max.version()) {
                max = abiOf.apply(i);
            }
        }
        return max;
    }
}
