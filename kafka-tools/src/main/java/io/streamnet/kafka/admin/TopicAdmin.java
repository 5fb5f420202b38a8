package io.streamnet.kafka.admin;

import io.streamnet.contract.TopicSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics that are missing and verifies the ones that exist, so it can run at every
 * start: an existing topic with fewer partitions, another replication factor or other configs is
 * reported, never silently used.
 */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    private final Admin admin;

    public TopicAdmin(Admin admin) {
        this.admin = admin;
    }

    /** Creates missing topics, then verifies all; throws with every mismatch listed. */
    public void ensure(Collection<TopicSpec> specs) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = specs.stream().filter(s -> !existing.contains(s.name()))
                    .map(s -> new NewTopic(s.name(), s.partitions(), s.replication()).configs(s.configs())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            List<String> problems = verifyWhenVisible(specs);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("existing topics do not match the pipeline: " + String.join("; ", problems));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("topic admin failed: " + e.getCause(), e.getCause());
        }
    }

    private List<String> verifyWhenVisible(Collection<TopicSpec> specs) throws ExecutionException, InterruptedException {
        awaitReady(specs.stream().map(TopicSpec::name).toList(), READY_TIMEOUT);
        return verify(specs);
    }

    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The topics' descriptions once every partition has a leader and all its replicas in sync.
     * A created topic reaches the brokers' metadata asynchronously (KRaft propagates it from the
     * controller's log), so a describe right after {@code createTopics} may answer "unknown topic"
     * or a partition without a leader: this waits for the metadata instead of racing it.
     */
    public Map<String, TopicDescription> awaitReady(Collection<String> names, Duration timeout)
            throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProblem = "";
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get();
                lastProblem = notReady(desc.values());
                if (lastProblem.isEmpty()) {
                    return desc;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                lastProblem = String.valueOf(e.getCause().getMessage());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topics " + names + " not ready after " + timeout + ": " + lastProblem);
    }

    private static String notReady(Collection<TopicDescription> topics) {
        for (TopicDescription d : topics) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty() || p.isr().size() < p.replicas().size()) {
                    return d.name() + "-" + p.partition() + " has leader " + p.leader() + ", isr " + p.isr()
                            + " of replicas " + p.replicas();
                }
            }
        }
        return "";
    }

    private List<String> verify(Collection<TopicSpec> specs) throws ExecutionException, InterruptedException {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get();
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        List<String> problems = new ArrayList<>();
        for (TopicSpec s : specs) {
            TopicDescription d = desc.get(s.name());
            int partitions = d.partitions().size();
            int rf = d.partitions().get(0).replicas().size();
            if (partitions < s.partitions()) {
                problems.add(s.name() + " has " + partitions + " partitions, needs " + s.partitions());
            }
            if (rf != s.replication()) {
                problems.add(s.name() + " has replication " + rf + ", expected " + s.replication());
            }
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, s.name()));
            String wrong = s.configs().entrySet().stream()
                    .filter(e -> c.get(e.getKey()) == null || !e.getValue().equals(c.get(e.getKey()).value()))
                    .map(e -> e.getKey() + "=" + (c.get(e.getKey()) == null ? "unset" : c.get(e.getKey()).value())
                            + " (expected " + e.getValue() + ")")
                    .collect(Collectors.joining(", "));
            if (!wrong.isEmpty()) {
                problems.add(s.name() + ": " + wrong);
            }
        }
        return problems;
    }
}
