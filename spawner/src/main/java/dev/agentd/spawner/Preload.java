package dev.agentd.spawner;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads and initialises every class of the packages the spawning thread uses.
 *
 * <p>Why: after {@code pivot_root} the spawning thread no longer sees the
 * host's filesystem, so a class first needed then (an exception type on an
 * error path, a nested record) could not be read from a class directory and
 * the spawn would fail with {@code NoClassDefFoundError}. Loading is
 * idempotent and cheap after the first time.
 */
final class Preload {
    private Preload() {}

    /** Classes whose packages are preloaded: linux, landlock, spawner. */
    private static final List<Class<?>> ANCHORS = List.of(
            dev.agentd.linux.Spawn.class, dev.agentd.landlock.Abi.class, Preload.class);

    private static volatile boolean done;

    static void all() {
        if (done) {
            return;
        }
        for (Class<?> anchor : ANCHORS) {
            for (String name : classNames(anchor)) {
                try {
                    Class.forName(name, true, anchor.getClassLoader());
                } catch (Throwable e) {
                    // A class that cannot initialise here would fail the same
                    // way when used; the spawn reports that at its step.
                }
            }
        }
        done = true;
    }

    private static List<String> classNames(Class<?> anchor) {
        String pkg = anchor.getPackageName();
        String dir = pkg.replace('.', '/');
        List<String> names = new ArrayList<>();
        CodeSource cs = anchor.getProtectionDomain().getCodeSource();
        if (cs == null) {
            return names;
        }
        try {
            Path location = Path.of(cs.getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> s = Files.list(location.resolve(dir))) {
                    s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".class"))
                            .forEach(f -> names.add(pkg + "." + f.substring(0, f.length() - 6)));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (JarEntry e : java.util.Collections.list(jar.entries())) {
                        String n = e.getName();
                        if (n.startsWith(dir + "/") && n.endsWith(".class") && n.indexOf('/', dir.length() + 1) < 0) {
                            names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            // Unknown code source layout: fall back to lazy loading.
        }
        return names;
    }
}
