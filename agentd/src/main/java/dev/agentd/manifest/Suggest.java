package dev.agentd.manifest;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelled keys and values. */
final class Suggest {
    private Suggest() {}

    /** Typos further away than this are more likely a different word than a slip of the finger. */
    static final int MAX_DISTANCE = 2;

    /**
     * The candidate closest to {@code typo} within {@link #MAX_DISTANCE} edits (ties go to the
     * earlier candidate), or one that differs only in case, {@code -} and {@code _} (so
     * {@code maxRetries} and {@code max-retries} both find {@code max_retries}).
     */
    static Optional<String> closest(String typo, Collection<String> candidates) {
        String folded = fold(typo);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = fold(c).equals(folded) ? 0 : distance(typo, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= MAX_DISTANCE ? Optional.ofNullable(best) : Optional.empty();
    }

    private static String fold(String s) {
        return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /**
     * Optimal string alignment distance: Levenshtein plus adjacent transpositions, since
     * {@code memroy} for {@code memory} is one slip, not two.
     */
    static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[n][m];
    }
}
