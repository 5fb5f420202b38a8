package io.streamnet.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobMetricsWatchTest {
    @Test
    void theRestartsAreSummedOverTheJobsInAnExposition() {
        String exposition = """
                # TYPE flink_jobmanager_job_numRestarts gauge
                flink_jobmanager_job_numRestarts{job_id="a",job_name="sequence"} 2
                flink_jobmanager_job_numRestarts{job_id="b",job_name="frames"} 1
                flink_jobmanager_job_numRestarts_other 9
                """;
        assertThat(JobMetricsWatch.restarts(exposition)).isEqualTo(3);
    }

    @Test
    void anExpositionWithNoJobHasNoRestartFigure() {
        assertThat(JobMetricsWatch.restarts("flink_jobmanager_numRegisteredTaskManagers 1\n")).isNull();
    }
}
