package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Every file operation of the drivers goes through here, so that each failure
 * names the path (and the value written), and so tests can stand in for the
 * kernel: on cgroupfs {@code mkdir} makes the interface files appear, on a
 * temp-dir fixture a test subclass does that in {@link #mkdir}.
 */
public class CgroupFs {

    /** Creates one directory; fails if it exists. */
    public void mkdir(Path dir) throws CgroupException {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw CgroupException.io("mkdir", dir, null, e);
        }
    }

    /** Removes one directory ({@code rmdir(2)}: cgroupfs removes the interface files with it). */
    public void rmdir(Path dir) throws CgroupException {
        try {
            Files.delete(dir);
        } catch (IOException e) {
            throw CgroupException.io("rmdir", dir, null, e);
        }
    }

    public boolean exists(Path path) {
        return Files.exists(path);
    }

    /** The whole file. */
    public String read(Path file) throws CgroupException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CgroupException.io("read", file, null, e);
        }
    }

    /** The whole file, or empty when it does not exist. */
    public Optional<String> readIfExists(Path file) throws CgroupException {
        try {
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CgroupException.io("read", file, null, e);
        }
    }

    /**
     * Writes {@code value} to an existing file in one {@code write(2)}: the
     * kernel parses each write of a cgroup file as one value. Never creates the
     * file: a missing interface file means the kernel lacks the feature, and
     * creating a regular file there would hide that.
     */
    public void write(Path file, String value) throws CgroupException {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw CgroupException.io("write", file, value, e);
        }
    }
}
