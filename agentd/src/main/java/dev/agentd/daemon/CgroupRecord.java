package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Where a sandbox's cgroup is, in every hierarchy, kept in a file beside the
 * sandbox's other state: a later agentd may run in another cgroup (v1
 * hierarchies each have their own path), where a path computed from its own
 * would miss some of the directories, and leave them — and the processes in
 * them — behind.
 */
final class CgroupRecord {
    /** The record's file name: one directory a line. */
    static final String FILE = "cgroup.dirs";

    private CgroupRecord() {
    }

    /** Records {@code cg}'s directories in {@code dir}, replacing any earlier record at once. */
    static void write(Path dir, Cgroup cg) throws IOException {
        Path tmp = dir.resolve(FILE + ".new");
        Files.write(tmp, cg.directories().stream().map(Path::toString).toList());
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The cgroup {@code name} an earlier agentd made, by the record in {@code dir}
     * (by the path this agentd would use, when there is none or it names no cgroup
     * here); null when it is gone.
     */
    static Cgroup open(CgroupManager cgroups, Path dir, String name) {
        Path record = dir.resolve(FILE);
        try {
            if (Files.exists(record)) {
                List<Path> dirs = Files.readAllLines(record).stream().filter(l -> !l.isBlank()).map(Path::of).toList();
                try {
                    return cgroups.openRecorded(name, dirs);
                } catch (IllegalArgumentException e) {
                    System.err.println("agentd: " + record + " names no cgroup of this machine (" + e.getMessage()
                            + "); looking where this agentd would put it");
                }
            }
            return cgroups.open(name); // made by an agentd that recorded none
        } catch (CgroupException e) {
            return null; // gone
        } catch (IOException e) {
            System.err.println("agentd: cannot read " + record + ": " + e.getMessage());
            try {
                return cgroups.open(name);
            } catch (CgroupException gone) {
                return null;
            }
        }
    }
}
