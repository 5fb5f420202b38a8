package io.streamnet.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void reshapeIsAViewOfTheSameArray() {
        Tensor t = Tensor.zeros(2, 3);
        Tensor r = t.reshape(3, -1);
        r.set(5f, 2, 1);
        assertThat(r.shape()).containsExactly(3, 2);
        assertThat(t.get(1, 2)).isEqualTo(5f);
        assertThat(r.data()).isSameAs(t.data());
    }

    @Test
    void sliceAndRowOffsetIntoTheParent() {
        Tensor t = Tensor.wrap(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 4, 2);
        Tensor s = t.slice(1, 3);
        assertThat(s.shape()).containsExactly(2, 2);
        assertThat(s.offset()).isEqualTo(2);
        assertThat(s.toArray()).containsExactly(2, 3, 4, 5);
        assertThat(t.row(3).toArray()).containsExactly(6, 7);
        t.row(3).put(0, 9f);
        assertThat(t.get(3, 0)).isEqualTo(9f);
    }

    @Test
    void copyDetachesFromTheParent() {
        Tensor t = Tensor.of(1, 2, 3);
        Tensor c = t.copy();
        c.put(0, 7f);
        assertThat(t.at(0)).isEqualTo(1f);
    }

    @Test
    void reshapeToAnotherSizeNamesBothShapes() {
        assertThatThrownBy(() -> Tensor.zeros(2, 3).reshape(4, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 2]");
    }

    @Test
    void copyFromMismatchNamesBothShapes() {
        assertThatThrownBy(() -> Tensor.zeros(2, 3).copyFrom(Tensor.zeros(3, 2)))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
    }

    @Test
    void wrapRejectsAnArrayOfAnotherLength() {
        assertThatThrownBy(() -> Tensor.wrap(new float[5], 2, 3)).hasMessageContaining("[2, 3]");
    }

    @Test
    void outOfRangeIndexIsRejected() {
        assertThatThrownBy(() -> Tensor.zeros(2, 2).get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Tensor.zeros(2, 2).slice(1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void hasNonFiniteSeesNaNAndInfinity() {
        assertThat(Tensor.of(1, 2).hasNonFinite()).isFalse();
        assertThat(Tensor.of(1, Float.NaN).hasNonFinite()).isTrue();
        assertThat(Tensor.of(Float.POSITIVE_INFINITY).hasNonFinite()).isTrue();
    }
}
