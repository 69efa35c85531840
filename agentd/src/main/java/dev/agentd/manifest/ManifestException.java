package dev.agentd.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A manifest was refused. Carries every problem found in the document, not just the first,
 * sorted by position, so a person can fix them all in one edit.
 *
 * <p>Checked on purpose: every caller (the admin socket, the CLI's validate command, the
 * startup scan of the agents directory) has to decide how to show these errors.
 */
public class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    private static final Comparator<ManifestError> BY_POSITION =
            Comparator.comparingInt(ManifestError::line).thenComparingInt(ManifestError::column);

    private final transient List<ManifestError> errors;

    /**
     * @param errors at least one error; they are sorted by line then column (stable, so errors
     *               at the same position keep the order they were found in)
     */
    public ManifestException(List<ManifestError> errors) {
        super(sorted(errors).stream().map(ManifestError::toString).collect(Collectors.joining("\n")));
        this.errors = sorted(errors);
    }

    /** The problems, sorted by line and column; never empty. */
    public List<ManifestError> errors() {
        return errors;
    }

    private static List<ManifestError> sorted(List<ManifestError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one error");
        }
        List<ManifestError> copy = new ArrayList<>(errors);
        copy.sort(BY_POSITION);
        return List.copyOf(copy);
    }
}
