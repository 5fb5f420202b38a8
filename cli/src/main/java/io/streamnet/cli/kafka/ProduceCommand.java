package io.streamnet.cli.kafka;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.kafka.replay.CharacterEvents;
import io.streamnet.kafka.replay.FrameEvents;
import io.streamnet.kafka.replay.KeyedEvent;
import io.streamnet.kafka.replay.Replayer;
import io.streamnet.kafka.replay.SentenceEvents;
import io.streamnet.kafka.replay.VideoFrameEvents;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.data.TextCorpus;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Replays a dataset into its input topic as a live stream. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Replay a dataset as a live stream: sentences -> text-events, frames -> frames, shakespeare -> step-events.")
public final class ProduceCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "sentences, frames or shakespeare")
    String dataset;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", description = "Target topic (default: the dataset's input topic).")
    String topic;

    @Option(names = "--format", defaultValue = "avro", description = "avro or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--rate", defaultValue = "1000", description = "Events per second, 0 for unpaced (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--keys", defaultValue = "16", description = "Concurrent conversations / cameras / text streams (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--limit", defaultValue = "0", description = "Stop after N events (0: the whole dataset).")
    long limit;

    @Option(names = "--video", description = "Frames: each camera films a video of test images (runs of one class, noisy frames; what the smoother is for) instead of the test set in order.")
    boolean video;

    @Option(names = "--whole-text", description = "Sentences: one event per sentence instead of one per word.")
    boolean wholeText;

    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        WireFormat wf = WireFormat.parse(format);
        Properties client = kafka.client(bootstrap);
        long sent;
        switch (dataset) {
            case "sentences" -> {
                var all = SentimentDataset.loadAll(SentimentDataset.locate());
                sent = run(client, topic != null ? topic : PipelineTopics.TEXT_EVENTS,
                        new RecordSerde<>(Codecs.of(TextEvent.class, wf)),
                        new SentenceEvents(all, keys, !wholeText, System::currentTimeMillis), "event");
            }
            case "frames" -> {
                FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard());
                Iterator<KeyedEvent<Frame>> frames = video
                        ? new VideoFrameEvents(test, keys, Math.max(1, test.count() / keys), FrameVideo.Spec.standard(),
                        1, "cam-", System::currentTimeMillis)
                        : new FrameEvents(test, keys, System::currentTimeMillis);
                sent = run(client, topic != null ? topic : PipelineTopics.FRAMES, new RecordSerde<>(Codecs.of(Frame.class, wf)),
                        frames, "frame");
            }
            case "shakespeare" -> {
                String text = TextCorpus.read(TextCorpus.locateTinyShakespeare());
                sent = run(client, topic != null ? topic : PipelineTopics.STEP_EVENTS,
                        new RecordSerde<>(Codecs.of(StepEvent.class, wf)),
                        new CharacterEvents(text, keys, System::currentTimeMillis), "char");
            }
            default -> {
                System.err.println("unknown dataset '" + dataset + "' (expected sentences, frames or shakespeare)");
                return 2;
            }
        }
        System.out.printf("sent %,d events%n", sent);
        return 0;
    }

    private <T> long run(Properties client, String t, RecordSerde<T> serde,
                         java.util.Iterator<io.streamnet.kafka.replay.KeyedEvent<T>> events, String unit)
            throws InterruptedException {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("produce " + t).setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(120).showSpeed()
                .setInitialMax(limit > 0 ? limit : -1).build()) {
            return Replayer.replay(client, t, serde, events, rate, limit, bar::stepTo);
        }
    }
}
