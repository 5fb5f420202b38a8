package io.streamnet.kafka.streams;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModelRecord;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model one Streams task serves. Newer models come from the global model-updates store, checked
 * every {@link RnnInferenceProcessor#MODEL_POLL}, through the same {@link ModelSlot} rules as in
 * Flink: ignored, refused (a dead letter, sent once, by the task of partition 0; the old model
 * serves) or swapped in. The swapped-in model is kept in the task's changelogged serving store as a
 * {@link ServedModelRecord} (the entries Flink's broadcast state holds), so a restarted task serves
 * what it served.
 */
final class TaskModel {
    private static final Logger LOG = LoggerFactory.getLogger(TaskModel.class);
    /** The SHA-256 of the last refused update, so that a restart does not report it again. */
    private static final String REFUSED = "refused-sha256";

    private final ModelSlot<ServedSequenceModel> slot;
    private final String updatesTopic;
    /** Null when the app follows no updates (then nothing is kept either). */
    private final KeyValueStore<String, byte[]> updates;
    private final KeyValueStore<String, byte[]> servingStore;
    private final Consumer<ServedSequenceModel> serve;
    private final Consumer<DeadLetter> report;
    private final String task;
    /** Every task sees every update: one of them (partition 0's) reports the refused ones. */
    private final boolean reportsRefusals;
    private byte[] lastOffered;
    private byte[] lastBest;
    /** The update that made the last swap, for its dead letter if it fails in service. */
    private byte[] lastSwapped;

    /**
     * @param serve  the serving model changed (or was first loaded)
     * @param report a dead letter of the model-updates topic, to send
     * @param task   the task's id, for the rollback's dead letter
     */
    TaskModel(ModelSlot<ServedSequenceModel> slot, String updatesTopic, KeyValueStore<String, byte[]> updates,
              KeyValueStore<String, byte[]> servingStore, Consumer<ServedSequenceModel> serve,
              Consumer<DeadLetter> report, String task, boolean reportsRefusals) {
        this.slot = slot;
        this.updatesTopic = updatesTopic;
        this.updates = updates;
        this.servingStore = servingStore;
        this.serve = serve;
        this.report = report;
        this.task = task;
        this.reportsRefusals = reportsRefusals;
    }

    /**
     * Serves the model this task served when it stopped, if the slot may still trust it (with a
     * trusted key: its signature, kept in the store, verifies); else {@code first}.
     */
    void start(ServedSequenceModel first) {
        ServedSequenceModel restored = servingStore == null ? null : ServedModelRecord.restore(slot, servingStore::get);
        if (restored != null) {
            LOG.info("restored serving model {}", restored);
        }
        serve.accept(restored != null ? restored : slot.open(first));
    }

    ServedSequenceModel current() {
        return slot.current();
    }

    /**
     * Offers the serving model id's highest verified version, then the update that arrived last (for
     * its verdict, a dead letter when refused), each once.
     */
    void followUpdates() {
        String id = slot.current().modelId();
        byte[] best = updates.get(ModelUpdateStore.bestKey(id));
        if (best != null && !Arrays.equals(best, lastBest)) {
            lastBest = best;
            offer(best);
        }
        byte[] latest = updates.get(ModelUpdateStore.latestKey(id));
        if (latest != null && !Arrays.equals(latest, lastOffered) && !Arrays.equals(latest, best)) {
            offer(latest);
        }
    }

    private void offer(byte[] raw) {
        lastOffered = raw;
        ModelSlot.Offer<ServedSequenceModel> offer = slot.offer(raw);
        if (offer instanceof ModelSlot.Swapped<ServedSequenceModel> s) {
            lastSwapped = raw;
            LOG.info("model swapped: {} -> {}{}", s.old(), s.next(),
                    s.resetState() ? "; state shape changed, keys start afresh as they are read" : "");
            remember(s.next());
            serve.accept(s.next());
        } else if (offer instanceof ModelSlot.Refused<ServedSequenceModel> r && reportsRefusals) {
            byte[] sum = ModelUpdates.sha256(raw).getBytes(StandardCharsets.UTF_8);
            if (!Arrays.equals(sum, servingStore.get(REFUSED))) { // not again after a restart
                servingStore.put(REFUSED, sum);
                report(r.reason(), r.detail(), raw);
            }
        }
    }

    /**
     * The serving model failed on live input: if an update swapped it in, the model it replaced
     * serves again (kept in the serving store), and this task dead-letters the update as
     * FAILED_IN_SERVICE (each task serves, and rolls back, on its own).
     */
    void failedInService(String why) {
        ModelSlot.Swapped<ServedSequenceModel> back = slot.rollBack(why);
        if (back == null) {
            return;
        }
        if (servingStore != null) {
            remember(back.next());
        }
        serve.accept(back.next());
        report(RejectReason.FAILED_IN_SERVICE, "model " + back.old() + " failed on live input in task " + task + " ("
                + why + "); rolled back to " + back.next(), lastSwapped == null ? new byte[0] : lastSwapped);
    }

    private void remember(ServedSequenceModel m) {
        ServedModelRecord.of(m, slot.currentSignature()).writeTo(servingStore::put);
    }

    private void report(RejectReason reason, String detail, byte[] raw) {
        report.accept(DeadLetters.of(updatesTopic, -1, -1, reason, detail, raw));
    }
}
