package dev.agentd.manifest;

/** The {@code landlock} setting: what to do when the kernel cannot enforce every filesystem rule. */
public enum LandlockMode {
    /** Refuse to start the agent (the default): a sandbox must not be silently weaker than written. */
    HARD("hard"),
    /** Apply what the kernel supports and report the rest as dropped in the agent record. */
    BEST_EFFORT("best_effort");

    private final String yaml;

    LandlockMode(String yaml) {
        this.yaml = yaml;
    }

    /** The manifest spelling. */
    public String yamlName() {
        return yaml;
    }
}
