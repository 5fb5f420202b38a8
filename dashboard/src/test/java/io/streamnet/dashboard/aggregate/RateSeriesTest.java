package io.streamnet.dashboard.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateSeriesTest {
    @Test
    void theRateIsTheMeanOfTheLastTenFullSeconds() {
        RateSeries r = new RateSeries(60);
        long t0 = 1_000_000_000L;
        for (int s = 0; s < 20; s++) {
            r.add(t0 + s * 1000L, s < 10 ? 1 : 5); // 1/s for ten seconds, then 5/s
        }
        r.add(t0 + 20_000L, 1000); // the current second is not full: not counted yet
        assertThat(r.perSecond(t0 + 20_500L)).isEqualTo(5.0);
    }

    @Test
    void theSeriesCoversTheRingAndForgetsWhatLeftIt() {
        RateSeries r = new RateSeries(30);
        long t0 = 5_000_000L;
        r.add(t0, 7);
        r.add(t0 + 40_000L, 3); // 40 s later: the slot of t0 was reused 10 s ago
        var series = r.series(t0 + 41_000L);
        assertThat(series).hasSize(29);
        assertThat(series.stream().mapToLong(p -> p[1]).sum()).isEqualTo(3);
        assertThat(series.get(series.size() - 1)[0]).isEqualTo((t0 + 40_000L) / 1000);
    }
}
