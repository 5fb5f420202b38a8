package io.streamnet.rnn.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.rnn.cell.CellType;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    private final StateLayout lstm = new StateLayout(CellType.LSTM, 2, 3);

    @Test
    void roundTripKeepsEveryFloat() {
        float[] v = new float[lstm.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 2f;
        }
        RnnState s = new RnnState(lstm, v);
        byte[] bytes = StateCodec.encode(s);
        assertThat(bytes).hasSize(9 + 4 * 12);
        assertThat(StateCodec.decode(bytes, lstm)).isEqualTo(s);
    }

    @Test
    void stateOfAnotherModelShapeIsRefused() {
        byte[] bytes = StateCodec.encode(RnnState.zeros(lstm));
        assertThatThrownBy(() -> StateCodec.decode(bytes, new StateLayout(CellType.GRU, 2, 3)))
                .isInstanceOf(StateCodec.IncompatibleStateException.class)
                .hasMessageContaining("another model shape");
    }

    @Test
    void truncatedBytesAreRefused() {
        byte[] bytes = StateCodec.encode(RnnState.zeros(lstm));
        assertThatThrownBy(() -> StateCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 4), lstm))
                .isInstanceOf(StateCodec.IncompatibleStateException.class);
    }
}
