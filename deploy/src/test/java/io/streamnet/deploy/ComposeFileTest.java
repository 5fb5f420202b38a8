package io.streamnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.cli.StreamnetCommand;
import io.streamnet.cli.jobs.ApplicationJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/compose.yaml, one host with Docker: what each service runs is a command line of this
 * build (the application job's arguments, the CLI's dashboard and topics), every Flink key one
 * Flink 2.2 declares, every port published on 127.0.0.1 only.
 */
class ComposeFileTest {
    static final JsonNode COMPOSE = read();

    static JsonNode read() {
        try {
            return StrictYaml.documents(Path.of("compose.yaml")).get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> command(String service) {
        List<String> out = new ArrayList<>();
        COMPOSE.at("/services/" + service + "/command").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void composeHoldsKafkaTheJobsClusterAndTheDashboard() {
        assertThat(COMPOSE.get("services").properties().stream().map(e -> e.getKey()).toList())
                .contains("kafka", "topics", "jobmanager", "taskmanager", "dashboard");
        assertThat(COMPOSE.at("/services/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(COMPOSE.at("/services/taskmanager/deploy/replicas").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theBrokerIsTheKafkaVersionTheJobsClientsAreBuiltWith() {
        assertThat(COMPOSE.at("/services/kafka/image").asText())
                .isEqualTo("apache/kafka:" + org.apache.kafka.common.utils.AppInfoParser.getVersion());
    }

    @Test
    void theJobManagerRunsTheApplicationJobWithArgumentsItAccepts() {
        List<String> cmd = command("jobmanager");
        assertThat(cmd.subList(0, 3)).containsExactly("standalone-job", "--job-classname", ApplicationJob.class.getName());
        CommandLine.ParseResult parsed = ApplicationJob.command().parseArgs(cmd.subList(3, cmd.size())
                .toArray(String[]::new));
        assertThat(parsed.matchedPositionalValue(0, "")).isEqualTo("sequence");
        assertThat(parsed.unmatched()).isEmpty();
    }

    @Test
    void theDashboardAndTheTopicsServiceRunCommandsOfTheCli() {
        for (String service : new String[] {"dashboard", "topics"}) {
            assertThat(COMPOSE.at("/services/" + service + "/entrypoint/3").asText())
                    .isEqualTo(StreamnetCommand.class.getName());
            CommandLine cli = new CommandLine(new StreamnetCommand());
            List<CommandLine> parsed = cli.parse(command(service).toArray(String[]::new));
            assertThat(parsed.get(parsed.size() - 1).getCommandName()).isEqualTo(service);
        }
    }

    @Test
    void everyFlinkPropertyIsAKeyFlinkDeclares() throws Exception {
        Set<String> known = FlinkKeys.all();
        for (String service : new String[] {"jobmanager", "taskmanager"}) {
            String props = COMPOSE.at("/services/" + service + "/environment/FLINK_PROPERTIES").asText();
            assertThat(props.lines().filter(l -> !l.isBlank()).map(l -> l.substring(0, l.indexOf(':')).trim()))
                    .allSatisfy(k -> assertThat(known).as("Flink 2.2 declares %s", k).contains(k));
        }
    }

    @Test
    void everyPublishedPortListensOnLoopbackOnly() {
        COMPOSE.get("services").forEach(s -> s.path("ports").forEach(p ->
                assertThat(p.asText()).startsWith("127.0.0.1:")));
    }
}
