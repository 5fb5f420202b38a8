package io.streamnet.dashboard.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The active-key table stays bounded however many keys stream by, keeping the most recent. */
class ActiveKeysTest {
    @Test
    void aMillionKeysLeaveOnlyTheMostRecentlyActive() {
        ActiveKeys keys = new ActiveKeys(100);
        for (int i = 0; i < 1_000_000; i++) {
            keys.update("k" + i, 0.5, 1, 0, 1);
        }
        assertThat(keys.size()).isEqualTo(100);
        assertThat(keys.newest(1)).extracting(ActiveKeys.Entry::key).containsExactly("k999999");
        assertThat(keys.get("k0")).isNull();
    }

    @Test
    void aKeyUpdatedAgainCountsItsPredictionsAndKeepsItsLatestScore() {
        ActiveKeys keys = new ActiveKeys(2);
        keys.update("a", 0.1, 0, 0, 1);
        keys.update("b", 0.2, 0, 0, 1);
        keys.update("a", 0.9, 1, 1, 2);
        keys.update("c", 0.3, 0, 0, 1); // evicts b, the least recently updated
        assertThat(keys.get("a")).isEqualTo(new ActiveKeys.Entry("a", 2, 0.9, 1, 1, 2));
        assertThat(keys.get("b")).isNull();
    }

    @Test
    void aKeysHistoryHoldsItsLastScoresOldestFirst() {
        ActiveKeys keys = new ActiveKeys(10);
        for (int step = 0; step < ActiveKeys.HISTORY + 5; step++) {
            keys.update("k", step / 1000.0, 1, step, 1);
        }
        var h = keys.history("k");
        assertThat(h).hasSize(ActiveKeys.HISTORY);
        assertThat(h.get(0).step()).isEqualTo(5);
        assertThat(h.get(h.size() - 1).step()).isEqualTo(ActiveKeys.HISTORY + 4);
        assertThat(keys.history("absent")).isEmpty();
    }

    @Test
    void readingAKeysHistoryDoesNotMakeItRecentlyActive() {
        ActiveKeys keys = new ActiveKeys(2);
        keys.update("old", 0.1, 0, 0, 1);
        keys.update("new", 0.2, 0, 0, 1);
        keys.history("old");
        keys.get("old");
        keys.update("newest", 0.3, 0, 0, 1);
        assertThat(keys.get("old")).as("evicted: the least recently updated").isNull();
        assertThat(keys.newest(2)).extracting(ActiveKeys.Entry::key).containsExactly("newest", "new");
    }

    @Test
    void aVerdictAfterTheRollingScoreOfTheSameStepIsOnePointOfTheChart() {
        ActiveKeys keys = new ActiveKeys(10);
        keys.update("k", 0.4, 0, 0, 1);
        keys.update("k", 0.7, 1, 1, 1); // rolling, word 2
        keys.update("k", 0.71, 1, 1, 1); // the verdict at the same word
        assertThat(keys.history("k")).extracting(ActiveKeys.Point::score).containsExactly(0.4, 0.71);
    }
}
