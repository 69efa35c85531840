package dev.agentd.manifest;

/** The {@code network} setting. */
public enum NetworkMode {
    /** A fresh network namespace with only loopback (the default). */
    NONE("none"),
    /** The host's network namespace. */
    HOST("host");

    private final String yaml;

    NetworkMode(String yaml) {
        this.yaml = yaml;
    }

    /** The manifest spelling. */
    public String yamlName() {
        return yaml;
    }
}
