package dev.agentd.daemon;

/** agentd's version, as in the Maven project. */
final class Version {
    static final String VERSION = "0.1.0";

    private Version() {}
}
