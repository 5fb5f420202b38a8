package io.streamnet.kafka.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the replayers send, without a broker: the shape of the streams. */
class EventSourcesTest {
    private static <T> List<KeyedEvent<T>> drain(java.util.Iterator<KeyedEvent<T>> it) {
        List<KeyedEvent<T>> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void sentencesBecomeInterleavedConversationsOfWordsEndingWithTheLabel() {
        List<LabelledSentence> s = List.of(new LabelledSentence("Great phone!", 1, "x"),
                new LabelledSentence("bad", 0, "x"), new LabelledSentence("Not worth it", 0, "x"));
        List<KeyedEvent<TextEvent>> events = drain(new SentenceEvents(s, 2, true, () -> 5L));
        assertThat(events).hasSize(3 + 1 + 3);
        // Two conversations at once: the first events alternate between conv-0 and conv-1.
        assertThat(events.subList(0, 2)).extracting(KeyedEvent::key).containsExactly("conv-0", "conv-1");
        Map<String, List<TextEvent>> byKey = new HashMap<>();
        events.forEach(e -> byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.value()));
        List<TextEvent> c0 = byKey.get("conv-0");
        assertThat(c0).extracting(TextEvent::getText).containsExactly("great", "phone", "!");
        assertThat(c0).extracting(TextEvent::getSeq).containsExactly(0L, 1L, 2L);
        assertThat(c0).extracting(TextEvent::getEndOfSequence).containsExactly(false, false, true);
        assertThat(c0).extracting(TextEvent::getLabel).containsExactly(null, null, 1);
        assertThat(byKey.get("conv-2").get(2).getLabel()).isZero();
    }

    @Test
    void wholeTextModeSendsOneEventPerSentence() {
        List<KeyedEvent<TextEvent>> events = drain(new SentenceEvents(
                List.of(new LabelledSentence("Loved it.", 1, "x")), 4, false, () -> 0L));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.value().getText()).isEqualTo("Loved it.");
            assertThat(e.value().getEndOfSequence()).isTrue();
        });
    }

    @Test
    void fashionMnistImagesBecomeFramesOfRoundRobinCameras() throws Exception {
        FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard(), 7);
        List<KeyedEvent<Frame>> frames = drain(new FrameEvents(test, 3, () -> 0L));
        assertThat(frames).hasSize(7);
        assertThat(frames).extracting(KeyedEvent::key).containsExactly("cam-0", "cam-1", "cam-2", "cam-0", "cam-1",
                "cam-2", "cam-0");
        Frame f = frames.get(4).value();
        assertThat(f.getFrameNo()).isEqualTo(1);
        assertThat(f.getPixels().remaining()).isEqualTo(784);
        assertThat(f.getPixels().get(300)).isEqualTo(test.pixels()[4 * 784 + 300]);
        assertThat(f.getLabel()).isEqualTo(test.label(4));
    }

    @Test
    void videoFramesComeRoundRobinFromCamerasEachNumberingItsOwnVideo() throws Exception {
        FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard(), 200);
        var spec = new io.streamnet.datasets.FrameVideo.Spec(3, 5, 0.3f);
        VideoFrameEvents events = new VideoFrameEvents(test, 2, 6, spec, 9, "cam-", () -> 42L);
        java.util.List<KeyedEvent<io.streamnet.schemas.Frame>> all = new java.util.ArrayList<>();
        events.forEachRemaining(all::add);
        assertThat(all).hasSize(12);
        for (int i = 0; i < all.size(); i++) {
            var f = all.get(i).value();
            int cam = i % 2;
            assertThat(all.get(i).key()).isEqualTo("cam-" + cam);
            assertThat(f.getFrameNo()).isEqualTo(i / 2);
            assertThat(f.getLabel()).isEqualTo(events.video(cam).get(i / 2).label());
            assertThat(f.getPixels().remaining()).isEqualTo(28 * 28);
            assertThat(f.getEventTime().toEpochMilli()).isEqualTo(42L);
        }
        assertThat(events.video(0).stream().map(v -> v.image()).toList()).as("cameras film different videos")
                .isNotEqualTo(events.video(1).stream().map(v -> v.image()).toList());
    }

    @Test
    void textBecomesParallelCharacterStreamsLabelledWithTheNextCharacter() {
        List<KeyedEvent<StepEvent>> ev = drain(new CharacterEvents("abcdefg", 2, () -> 0L));
        // (7 - 1) / 2 = 3 steps per stream: "abc" -> next "bcd", "def" -> next "efg".
        assertThat(ev).hasSize(6);
        StepEvent first = ev.get(0).value();
        assertThat(first.getFeatures()).containsExactly((float) 'a');
        assertThat(first.getLabel()).isEqualTo((int) 'b');
        StepEvent lastOfSecond = ev.get(5).value();
        assertThat(ev.get(5).key()).isEqualTo("text-1");
        assertThat(lastOfSecond.getFeatures()).containsExactly((float) 'f');
        assertThat(lastOfSecond.getLabel()).isEqualTo((int) 'g');
        assertThat(lastOfSecond.getEndOfSequence()).isTrue();
    }
}
