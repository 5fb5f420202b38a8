package io.streamnet.local.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void namesKeepOnlyTheCharactersPrometheusAllows() {
        assertThat(PrometheusText.name("flink_taskmanager_job_task_operator_end-to-end.ms")).isEqualTo(
                "flink_taskmanager_job_task_operator_end_to_end_ms");
        assertThat(PrometheusText.name("9lives")).isEqualTo("_9lives");
    }

    @Test
    void labelValuesAreEscapedSoAnyStringStaysOneSample() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("operator_name", "Decode \"text\"\\events\nnext");
        StringBuilder out = new StringBuilder();
        PrometheusText.sample(out, "m", labels, "quantile", "0.99", 2.5);
        assertThat(out.toString()).isEqualTo("m{operator_name=\"Decode \\\"text\\\"\\\\events\\nnext\",quantile=\"0.99\"} 2.5\n");
    }

    @Test
    void wholeNumbersPrintWithoutAFractionAndSpecialValuesAsPrometheusSpellsThem() {
        assertThat(PrometheusText.number(42)).isEqualTo("42");
        assertThat(PrometheusText.number(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.number(0.125)).isEqualTo("0.125");
    }
}
