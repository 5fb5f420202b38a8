package io.streamnet.dashboard.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineStatsTest {
    static PipelineStats.DeadLetterView letter(String reason) {
        return new PipelineStats.DeadLetterView(reason, "why", "text-events@0:1", 0);
    }

    @Test
    void aStreamOfDistinctReasonsShowsTheMostFrequentFewAndCountsTheRestAsOther() {
        PipelineStats p = new PipelineStats();
        for (int i = 0; i < 5; i++) {
            p.deadLetter(letter("UNDECODABLE"));
        }
        for (int i = 0; i < 3; i++) {
            p.deadLetter(letter("KEY_TOO_LONG"));
        }
        for (int i = 0; i < 100_000; i++) {
            p.deadLetter(letter("hostile-" + i)); // a reason is the record's own string
        }

        Map<String, Long> shown = p.deadLettersByReason();
        assertThat(shown).hasSize(PipelineStats.REASONS_SHOWN + 1);
        assertThat(List.copyOf(shown.keySet()).subList(0, 2)).containsExactly("UNDECODABLE", "KEY_TOO_LONG");
        assertThat(shown.get("UNDECODABLE")).isEqualTo(5);
        assertThat(shown).containsKey(PipelineStats.OTHER);
        assertThat(shown.values().stream().mapToLong(Long::longValue).sum()).as("every dead letter counted once")
                .isEqualTo(100_008).isEqualTo(p.deadLetters());
    }

    @Test
    void aFewReasonsAreAllShownByNameWithoutOther() {
        PipelineStats p = new PipelineStats();
        p.deadLetter(letter("UNDECODABLE"));
        p.deadLetter(letter("UNDECODABLE"));
        p.deadLetter(letter("KEY_TOO_LONG"));

        assertThat(p.deadLettersByReason()).containsExactly(Map.entry("UNDECODABLE", 2L), Map.entry("KEY_TOO_LONG", 1L));
    }
}
