package dev.agentd.manifest;

/**
 * The user id an agent runs as: {@link Auto} (the daemon allocates a free uid from its
 * range) or a {@link Fixed} uid. Never 0: agents never run as root, and the parser refuses
 * {@code uid: 0} with a message saying so.
 */
public sealed interface Uid permits Uid.Auto, Uid.Fixed {

    /** The default: let the daemon pick an unused uid. */
    Uid AUTO = new Auto();

    /** A fixed uid, {@value #MIN}..{@value #MAX}. */
    static Uid of(int uid) {
        return new Fixed(uid);
    }

    /** Smallest fixed uid: anything but root. */
    int MIN = 1;
    /**
     * Largest fixed uid. 2147483647 is left out because several tools (and the kernel's
     * {@code (uid_t)-1} "no change" value on 16/32-bit interfaces) treat values at or above it
     * specially; the daemon never needs that range.
     */
    int MAX = 2_147_483_646;

    /** True for {@link #AUTO}. */
    default boolean isAuto() {
        return this instanceof Auto;
    }

    /** {@code uid: auto}. */
    record Auto() implements Uid {
        @Override
        public String toString() {
            return "auto";
        }
    }

    /**
     * {@code uid: N}.
     *
     * @param uid {@value Uid#MIN}..{@value Uid#MAX}
     */
    record Fixed(int uid) implements Uid {
        public Fixed {
            if (uid < MIN || uid > MAX) {
                throw new IllegalArgumentException("uid must be " + MIN + ".." + MAX + " (agents never run as root), got " + uid);
            }
        }

        @Override
        public String toString() {
            return Integer.toString(uid);
        }
    }
}
