package io.streamnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.streamnet.cli.jobs.ApplicationJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/kubernetes: one {@code FlinkDeployment} per job, read into the Flink Kubernetes Operator's
 * own CRD classes (1.10.0) with unknown fields refused, every Flink key one Flink 2.2 declares,
 * every job argument an option of the image's entry class, and the two kinds of settings agreeing.
 */
class FlinkDeploymentManifestsTest {
    static final Path DIR = Path.of("kubernetes");

    static FlinkDeployment deployment(String job) throws Exception {
        List<JsonNode> docs = StrictYaml.documents(DIR.resolve(job + ".yaml"));
        assertThat(docs).hasSize(1);
        JsonNode doc = docs.get(0).deepCopy();
        // Operator 1.10's FlinkVersion ends at v1_20; the field is checked on its own below.
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("spec")).remove("flinkVersion");
        return StrictYaml.read(doc, FlinkDeployment.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void eachJobsManifestIsAFlinkDeploymentOfTheOperatorsSchema(String job) throws Exception {
        FlinkDeployment d = deployment(job);
        assertThat(d.getApiVersion()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(d.getKind()).isEqualTo("FlinkDeployment");
        assertThat(d.getMetadata().getName()).isEqualTo("streamnet-" + job);
        JobSpec spec = d.getSpec().getJob();
        assertThat(spec.getEntryClass()).isEqualTo(ApplicationJob.class.getName());
        assertThat(spec.getUpgradeMode()).as("resumes from its newest checkpoint").isEqualTo(UpgradeMode.LAST_STATE);
        assertThat(d.getSpec().getJobManager().getResource().getMemory()).isNotBlank();
        assertThat(d.getSpec().getTaskManager().getResource().getMemory()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void eachManifestNamesTheFlinkVersionTheJobsAreBuiltWith(String job) throws Exception {
        JsonNode doc = StrictYaml.documents(DIR.resolve(job + ".yaml")).get(0);
        String[] v = org.apache.flink.runtime.util.EnvironmentInformation.getVersion().split("\\.");
        assertThat(doc.at("/spec/flinkVersion").asText()).isEqualTo("v" + v[0] + "_" + v[1]);
    }

    @Test
    void aMisspelledFieldIsRefusedNotDropped() {
        String typo = "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: x}\n"
                + "spec:\n  job:\n    jarURI: local:///x.jar\n    paralelism: 4\n";
        assertThatThrownBy(() -> StrictYaml.read(typo, FlinkDeployment.class)).hasMessageContaining("paralelism");
        String podTypo = "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: x}\n"
                + "spec:\n  podTemplate:\n    spec:\n      containers:\n        - name: flink-main-container\n"
                + "          volumeMount: []\n";
        assertThatThrownBy(() -> StrictYaml.read(podTypo, FlinkDeployment.class)).hasMessageContaining("volumeMount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void everyFlinkConfigurationKeyIsOneFlinkDeclares(String job) throws Exception {
        Set<String> known = FlinkKeys.all();
        assertThat(deployment(job).getSpec().getFlinkConfiguration().keySet()).allSatisfy(k ->
                assertThat(known).as("Flink 2.2 declares %s", k).contains(k));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void theJobArgumentsAreOptionsOfTheImagesEntryClass(String job) throws Exception {
        List<String> args = deployment(job).getSpec().getJob().getArgs() == null ? List.of()
                : List.of(deployment(job).getSpec().getJob().getArgs());
        CommandLine.ParseResult parsed = ApplicationJob.command().parseArgs(args.toArray(String[]::new));
        assertThat(parsed.matchedPositionalValue(0, "")).isEqualTo(job);
        assertThat(parsed.unmatched()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void theJobArgumentsAgreeWithTheFlinkConfigurationAndTheSpec(String job) throws Exception {
        FlinkDeployment d = deployment(job);
        Map<String, String> conf = d.getSpec().getFlinkConfiguration();
        Map<String, String> args = options(List.of(d.getSpec().getJob().getArgs()));
        // the job sets these itself from its arguments: the cluster's copies must say the same
        assertThat(args.get("--checkpoint-dir")).isEqualTo(conf.get("execution.checkpointing.dir"));
        assertThat(args.getOrDefault("--state-backend", "hashmap")).isEqualTo(conf.get("state.backend.type"));
        assertThat(args.get("--parallelism")).isEqualTo(Integer.toString(d.getSpec().getJob().getParallelism()));
        // the operator's last-state upgrades and a lost JobManager need HA metadata and retained checkpoints
        assertThat(conf).containsEntry("high-availability.type", "kubernetes").containsKey("high-availability.storageDir")
                .containsEntry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        assertThat(args.get("--group-id")).as("each job its own consumer group and transactional ids")
                .isEqualTo("streamnet-" + job);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void everyPathTheJobReadsIsOnAVolumeTheStorageManifestProvides(String job) throws Exception {
        FlinkDeployment d = deployment(job);
        Map<String, String> mounts = new HashMap<>(); // mount path -> volume name
        var container = d.getSpec().getPodTemplate().getSpec().getContainers().get(0);
        assertThat(container.getName()).isEqualTo("flink-main-container");
        container.getVolumeMounts().forEach(m -> mounts.put(m.getMountPath(), m.getName()));
        Map<String, Volume> volumes = new HashMap<>();
        d.getSpec().getPodTemplate().getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));

        Set<String> claims = new java.util.HashSet<>();
        Map<String, Secret> secrets = secrets();
        for (JsonNode doc : StrictYaml.documents(DIR.resolve("storage.yaml"))) {
            if (doc.get("kind").asText().equals("PersistentVolumeClaim")) {
                claims.add(StrictYaml.read(doc, PersistentVolumeClaim.class).getMetadata().getName());
            }
        }
        List<String> paths = new ArrayList<>(options(List.of(d.getSpec().getJob().getArgs())).values());
        d.getSpec().getFlinkConfiguration().values().forEach(paths::add);
        for (String p : paths) {
            String path = p.startsWith("file://") ? p.substring("file://".length()) : p;
            if (!path.startsWith("/")) {
                continue;
            }
            String mount = mounts.keySet().stream().filter(m -> path.startsWith(m + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError(path + " is on no mounted volume"));
            Volume v = volumes.get(mounts.get(mount));
            if (v.getPersistentVolumeClaim() != null) {
                assertThat(claims).contains(v.getPersistentVolumeClaim().getClaimName());
            } else {
                Secret secret = secrets.get(v.getSecret().getSecretName());
                assertThat(secret).as("storage.yaml provides secret %s", v.getSecret().getSecretName()).isNotNull();
                assertThat(secret.getStringData()).as("the secret holds %s", path)
                        .containsKey(path.substring(mount.length() + 1));
            }
        }
    }

    /** storage.yaml's secrets by name. */
    static Map<String, Secret> secrets() throws Exception {
        Map<String, Secret> out = new HashMap<>();
        for (JsonNode doc : StrictYaml.documents(DIR.resolve("storage.yaml"))) {
            switch (doc.get("kind").asText()) {
                case "PersistentVolumeClaim" -> { }
                case "Secret" -> {
                    Secret s = StrictYaml.read(doc, Secret.class);
                    out.put(s.getMetadata().getName(), s);
                }
                default -> throw new AssertionError("unexpected " + doc.get("kind"));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequence", "frames", "training"})
    void onlyTheTrainingJobsPodsMountAPrivateKey(String job) throws Exception {
        Map<String, Secret> secrets = secrets();
        List<String> mounted = new ArrayList<>();
        deployment(job).getSpec().getPodTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).forEach(v -> mounted.add(v.getSecret().getSecretName()));
        boolean privateKey = mounted.stream().map(secrets::get).anyMatch(s -> s.getStringData().values().stream()
                .anyMatch(text -> text.contains("PRIVATE KEY")));
        assertThat(privateKey).as("%s's pods can read a private signing key", job).isEqualTo(job.equals("training"));
        if (job.equals("training")) {
            assertThat(options(List.of(deployment(job).getSpec().getJob().getArgs()))).containsKey("--sign-key")
                    .as("the job trusts the public key of its signing key, not a second one that could disagree")
                    .doesNotContainKey("--update-key");
        }
    }

    @Test
    void theJarTheManifestsNameIsTheOneTheImageHolds() throws Exception {
        String cliPom = Files.readString(Path.of("../cli/pom.xml"));
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(cliPom);
        assertThat(m.find()).isTrue();
        String dockerfile = Files.readString(Path.of("docker/Dockerfile"));
        assertThat(dockerfile).contains("job-jars /job").contains("COPY --from=build /job/ /opt/flink/usrlib/")
                .as("the image's Flink is the one the jobs are built with")
                .contains("FROM flink:" + org.apache.flink.runtime.util.EnvironmentInformation.getVersion() + "-");
        for (String job : new String[] {"sequence", "frames", "training"}) {
            assertThat(deployment(job).getSpec().getJob().getJarURI())
                    .isEqualTo("local:///opt/flink/usrlib/" + m.group(1) + ".jar");
        }
    }

    /** Option -> value of an argument list (positional ones left out). */
    static Map<String, String> options(List<String> args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith("--") && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                out.put(args.get(i), args.get(++i));
            }
        }
        return out;
    }
}
