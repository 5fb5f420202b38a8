package io.streamnet.interop.pytorch;

/** PyTorch's parameter names of {@code nn.RNN}/{@code nn.LSTM}/{@code nn.GRU}: {@code rnn.weight_ih_l0}. */
final class Names {
    private Names() {
    }

    static String layer(String module, String kind, int layer) {
        return module + "." + kind + "_l" + layer;
    }
}
