package io.streamnet.serving.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rounds of distinct keys: one batched step each, every key's work in its order. */
class KeyRoundsTest {
    /** A piece of keyed work of {@code steps} steps. */
    private record Work(String key, String name, int steps) {
    }

    private static List<String> run(KeyRounds<Work> rounds, List<String> noStep) {
        List<String> out = new ArrayList<>();
        for (KeyRounds.Round<Work> r; (r = rounds.next(w -> noStep.add(w.name()))) != null; ) {
            List<String> round = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                round.add(r.item(i).name() + "." + r.step(i) + (r.last(i) ? "!" : ""));
            }
            out.add(String.join(" ", round));
        }
        return out;
    }

    private static KeyRounds<Work> of(Work... work) {
        KeyRounds<Work> r = new KeyRounds<>(Work::steps, 2);
        for (Work w : work) {
            r.add(w.key(), w);
        }
        return r;
    }

    @Test
    void aKeySeenTwiceTakesTwoRoundsAndKeysKeepTheirFirstSeenOrder() {
        List<String> rounds = run(of(new Work("a", "a1", 1), new Work("b", "b1", 1), new Work("a", "a2", 1),
                new Work("c", "c1", 1)), new ArrayList<>());
        assertThat(rounds).containsExactly("a1.0! b1.0! c1.0!", "a2.0!");
    }

    @Test
    void anItemOfNStepsTakesNRoundsBeforeTheNextItemOfItsKey() {
        List<String> rounds = run(of(new Work("a", "text", 3), new Work("b", "b1", 1), new Work("a", "a2", 1)),
                new ArrayList<>());
        assertThat(rounds).containsExactly("text.0 b1.0!", "text.1", "text.2!", "a2.0!");
    }

    @Test
    void itemsWithoutStepsAreHandedOverInOrderWhenTheyReachTheHead() {
        List<String> noStep = new ArrayList<>();
        List<String> rounds = run(of(new Work("a", "a1", 2), new Work("a", "end", 0), new Work("b", "lone-end", 0)),
                noStep);
        assertThat(rounds).containsExactly("a1.0", "a1.1!");
        assertThat(noStep).containsExactly("lone-end", "end");
    }

    @Test
    void aDrainedSchedulerTakesTheNextBatch() {
        KeyRounds<Work> r = of(new Work("a", "a1", 1));
        assertThat(run(r, new ArrayList<>())).containsExactly("a1.0!");
        r.add("a", new Work("a", "a2", 1));
        assertThat(run(r, new ArrayList<>())).containsExactly("a2.0!");
    }
}
