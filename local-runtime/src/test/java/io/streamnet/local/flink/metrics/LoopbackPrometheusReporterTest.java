package io.streamnet.local.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.metrics.filter.ReporterFilter;
import org.apache.flink.runtime.metrics.groups.FrontMetricGroup;
import org.apache.flink.runtime.metrics.groups.ReporterScopedSettings;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPrometheusReporterTest {
    final LoopbackPrometheusReporter reporter = new LoopbackPrometheusReporter("127.0.0.1", 0);
    /** An operator's group as a reporter sees it (Flink hands reporters such a front group). */
    final FrontMetricGroup<?> group = new FrontMetricGroup<>(new ReporterScopedSettings<>(0, '.',
            ReporterFilter.getNoOpFilter(), Set.of(), Map.of()), UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());

    @Test
    void aGaugeThatThrowsLeavesOutItsOwnSampleAndNothingElse() {
        SimpleCounter events = new SimpleCounter();
        events.inc(7);
        reporter.notifyOfAddedMetric(events, "eventsIn", group);
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> {
            throw new IllegalArgumentException("incomplete batch of committables");
        }, "pendingCommittables", group);

        String scraped = reporter.scrape();
        assertThat(scraped).containsPattern("(?m)^flink_\\w*_eventsIn(\\{[^}]*\\})? 7$");
        assertThat(scraped).doesNotContainPattern("(?m)^flink_\\w*_pendingCommittables");
    }

    @Test
    void aHistogramIsASummaryOfQuantilesAndCount() {
        DescriptiveStatisticsHistogram h = new DescriptiveStatisticsHistogram(100);
        for (int i = 1; i <= 100; i++) {
            h.update(i);
        }
        reporter.notifyOfAddedMetric(h, "stepMicros", group);
        String scraped = reporter.scrape();
        assertThat(scraped).containsPattern("(?m)^# TYPE flink_\\w*_stepMicros summary$");
        assertThat(scraped).containsPattern("(?m)^flink_\\w*_stepMicros\\{[^}]*quantile=\"0.99\"\\} 99\\.\\d+$");
        assertThat(scraped).containsPattern("(?m)^flink_\\w*_stepMicros_count(\\{[^}]*\\})? 100$");
    }
}
