package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The held-out keys: a share chosen by a hash keyed with the job's secret, which producers cannot aim at. */
class HeldOutSliceTest {
    /** The unkeyed hash the slice used before: anyone could compute which keys it holds. */
    static boolean unkeyedHolds(String key, double share) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53 < share;
    }

    static long held(HeldOutSlice s, List<String> keys) {
        return keys.stream().filter(s::holds).count();
    }

    @Test
    void keysAProducerChoseToLandInTheSliceLandThereOnlyAtTheShare() {
        List<String> aimed = new ArrayList<>();
        for (int i = 0; aimed.size() < 1000; i++) {
            if (unkeyedHolds("conv-" + i, 0.1)) {
                aimed.add("conv-" + i);
            }
        }
        long held = held(new HeldOutSlice(0.1, HeldOutSlice.newSecret()), aimed);
        assertThat(held).as("a tenth of the aimed keys, not all").isBetween(50L, 150L);
    }

    @Test
    void theSameSecretHoldsTheSameKeysAndAnotherOneOthers() {
        byte[] secret = HeldOutSlice.newSecret();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            keys.add("conv-" + i);
        }
        HeldOutSlice a = new HeldOutSlice(0.1, secret);
        HeldOutSlice b = new HeldOutSlice(0.1, secret.clone());
        HeldOutSlice other = new HeldOutSlice(0.1, HeldOutSlice.newSecret());
        assertThat(keys).allMatch(k -> a.holds(k) == b.holds(k));
        assertThat(held(a, keys)).as("the share").isBetween(400L, 600L);
        long both = keys.stream().filter(k -> a.holds(k) && other.holds(k)).count();
        assertThat(both).as("independent slices overlap at share squared").isLessThan(120L);
    }

    @Test
    void aSecretShorterThan128BitsIsRefusedAndNeverPrinted() {
        assertThatThrownBy(() -> new HeldOutSlice(0.1, new byte[15])).hasMessageContaining("16 bytes");
        byte[] secret = "0123456789abcdef-secret".getBytes(StandardCharsets.US_ASCII);
        assertThat(new HeldOutSlice(0.1, secret).toString()).doesNotContain("secret").doesNotContain("0123");
        assertThat(HeldOutSlice.NONE.holds("any")).isFalse();
    }
}
