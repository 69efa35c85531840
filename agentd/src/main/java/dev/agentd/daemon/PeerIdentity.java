package dev.agentd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Turns the names the JDK's {@code SO_PEERCRED} gives into uids and checks
 * admin-group membership from {@code /etc/passwd} and {@code /etc/group}.
 */
final class PeerIdentity {
    private PeerIdentity() {}

    /** The uid of {@code user} (a name, or a number when the uid has no passwd entry). */
    static OptionalInt uidOf(String user) {
        if (user.chars().allMatch(Character::isDigit)) {
            return OptionalInt.of(Integer.parseInt(user));
        }
        for (String[] f : entries(Path.of("/etc/passwd"))) {
            if (f.length > 2 && f[0].equals(user)) {
                return OptionalInt.of(Integer.parseInt(f[2]));
            }
        }
        return OptionalInt.empty();
    }

    /** The gid of {@code group}, if it exists. */
    static OptionalInt gidOf(String group) {
        for (String[] f : entries(Path.of("/etc/group"))) {
            if (f.length > 2 && f[0].equals(group)) {
                return OptionalInt.of(Integer.parseInt(f[2]));
            }
        }
        return OptionalInt.empty();
    }

    /** Whether {@code user} (primary group {@code primaryGroup}) belongs to {@code group}. */
    static boolean inGroup(String user, String primaryGroup, String group) {
        if (group.equals(primaryGroup)) {
            return true;
        }
        for (String[] f : entries(Path.of("/etc/group"))) {
            if (f.length > 3 && f[0].equals(group)) {
                return List.of(f[3].split(",")).contains(user);
            }
        }
        return false;
    }

    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).map(l -> l.split(":", -1)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
