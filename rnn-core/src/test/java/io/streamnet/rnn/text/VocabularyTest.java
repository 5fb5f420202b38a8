package io.streamnet.rnn.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
    @Test
    void tokenizerLowerCasesAndSplitsPunctuation() {
        assertThat(WordTokenizer.tokenize("Great phone!! Didn't break, 10/10."))
                .containsExactly("great", "phone", "!", "!", "didn't", "break", ",", "10", "/", "10", ".");
    }

    @Test
    void mostFrequentWordsGetIdsAndTheRestFallIntoTheOovBucket() {
        Vocabulary v = Vocabulary.words(List.of("good good bad", "good ugly"), 3, 1);
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.token(0)).isEqualTo(Vocabulary.OOV);
        assertThat(v.token(1)).isEqualTo("good");
        assertThat(v.encode("good ugly zebra")).containsExactly(1, v.id("ugly"), 0);
    }

    @Test
    void minCountDropsRareWords() {
        Vocabulary v = Vocabulary.words(List.of("a a b"), 10, 2);
        assertThat(v.size()).isEqualTo(2);
        assertThat(v.id("b")).isZero();
    }

    @Test
    void characterVocabularyRoundTripsText() {
        Vocabulary v = Vocabulary.chars("to be, or not");
        assertThat(v.decode(v.encode("not to be"))).isEqualTo("not to be");
        assertThat(v.encode("z")).containsExactly(0);
    }

    @Test
    void jsonRoundTripKeepsIds() {
        Vocabulary v = Vocabulary.words(List.of("x y z x"), 10, 1);
        Vocabulary back = Vocabulary.fromJson(v.toJson());
        assertThat(back.encode("z x q")).containsExactly(v.encode("z x q"));
        assertThat(back.kind()).isEqualTo("word");
    }

    @Test
    void jsonWithoutOovFirstIsRejected() {
        var n = Vocabulary.words(List.of("x"), 10, 1).toJson();
        n.withArray("tokens").remove(0);
        assertThatThrownBy(() -> Vocabulary.fromJson(n)).hasMessageContaining(Vocabulary.OOV);
    }
}
