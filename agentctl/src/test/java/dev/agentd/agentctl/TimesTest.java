package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {
    @ParameterizedTest
    @CsvSource({"30s, PT30S", "10m, PT10M", "2h, PT2H", "1h30m, PT1H30M", "7d, PT168H", "2w, PT336H",
        "1d2h3m4s, PT26H3M4S", "PT45M, PT45M"})
    void duration_acceptsShortAndIsoForms(String given, String expected) {
        assertEquals(Duration.parse(expected), Times.duration(given));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "m", "10 m", "1.5h", "10M", "h2", "Pnope"})
    void duration_rejectsTheRest(String given) {
        assertNull(Times.duration(given));
    }

    @Test
    void instant_acceptsOffsetsAndDates() {
        assertEquals("2026-11-22T00:00:00Z", Times.instant("2026-11-22T00:00:00Z").toString());
        assertEquals("2026-11-21T23:00:00Z", Times.instant("2026-11-22T00:00:00+01:00").toString());
        assertEquals("2026-11-22T00:00:00Z", Times.instant("2026-11-22").toString());
        assertNull(Times.instant("22/11/2026"));
    }
}
