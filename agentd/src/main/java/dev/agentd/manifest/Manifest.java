package dev.agentd.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed and validated agent manifest: everything the daemon needs to launch one sandboxed
 * agent. Immutable. Built only by {@link ManifestParser}, which guarantees every field is
 * valid and every default filled in; the original YAML is kept in {@link #source()} because
 * the daemon stores the text the admin wrote, comments included, rather than a re-rendering.
 *
 * @param name             agent name, {@code [a-z0-9][a-z0-9._-]{0,62}}
 * @param command          argv; {@code command[0]} is an absolute path or a bare program name
 * @param env              environment, in manifest order
 * @param workdir          absolute working directory (default {@code /workspace})
 * @param uid              {@link Uid#AUTO} or a fixed non-root uid
 * @param resources        cgroup limits and {@code /tmp} size
 * @param limits           what the agent may ask of agentd (its toolcall() rate); {@link Limits#NONE}: agentd's defaults
 * @param filesystem       read/write/exec path grants
 * @param network          {@link NetworkMode#NONE} by default
 * @param landlock         {@link LandlockMode#HARD} by default
 * @param seccomp          the built-in filter or an OCI profile
 * @param restart          restart policy ({@link RestartPolicy#NEVER} by default)
 * @param capabilities     broker grants, in manifest order
 * @param approvalRequired broker grants that need a person's approval on each use; a bare tool
 *                         name {@code web_search} is stored as {@code Grant(TOOL, "web_search")}
 * @param source           the manifest text exactly as given
 */
public record Manifest(
        String name,
        List<String> command,
        Map<String, String> env,
        Path workdir,
        Uid uid,
        Resources resources,
        Limits limits,
        FilesystemGrants filesystem,
        NetworkMode network,
        LandlockMode landlock,
        SeccompChoice seccomp,
        RestartPolicy restart,
        List<Grant> capabilities,
        List<Grant> approvalRequired,
        String source) {

    /** {@code workdir} when the manifest does not set one. */
    public static final Path DEFAULT_WORKDIR = Path.of("/workspace");

    /** Class-path location of the annotated example manifest. */
    public static final String EXAMPLE_RESOURCE = "dev/agentd/manifest/example.yaml";

    public Manifest {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        // Map.copyOf would lose the manifest order, which matters for readable `status` output.
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        Objects.requireNonNull(workdir, "workdir");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(filesystem, "filesystem");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(landlock, "landlock");
        Objects.requireNonNull(seccomp, "seccomp");
        Objects.requireNonNull(restart, "restart");
        capabilities = List.copyOf(capabilities);
        approvalRequired = List.copyOf(approvalRequired);
        Objects.requireNonNull(source, "source");
    }

    /** Like the generated form, but shows the length of {@link #source()} instead of the whole text. */
    @Override
    public String toString() {
        return "Manifest[name=" + name + ", command=" + command + ", env=" + env + ", workdir=" + workdir
                + ", uid=" + uid + ", resources=" + resources + ", limits=" + limits + ", filesystem=" + filesystem + ", network=" + network
                + ", landlock=" + landlock + ", seccomp=" + seccomp + ", restart=" + restart
                + ", capabilities=" + capabilities + ", approvalRequired=" + approvalRequired
                + ", source=<" + source.length() + " chars>]";
    }

    /**
     * The annotated example manifest shipped in this jar (every key, with a comment saying
     * what it does), as text. The README shows the same file.
     */
    public static String exampleYaml() {
        try (InputStream in = Manifest.class.getClassLoader().getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + EXAMPLE_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + EXAMPLE_RESOURCE, e);
        }
    }

    /** {@link #exampleYaml()}, parsed. */
    public static Manifest example() {
        try {
            return ManifestParser.parse(exampleYaml(), "example.yaml");
        } catch (ManifestException e) {
            // The example is part of the build and tested; failing here is a packaging bug.
            throw new IllegalStateException("the bundled example manifest does not parse:\n" + e.getMessage(), e);
        }
    }
}
