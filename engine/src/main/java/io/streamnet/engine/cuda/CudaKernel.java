package io.streamnet.engine.cuda;

/**
 * Every kernel the CUDA backend launches: the PTX module (a resource {@code <module>.ptx} next to
 * this class, compiled from {@code engine/src/main/cuda/<module>.cu}) and its {@code .entry} name.
 */
public enum CudaKernel {
    GEMM_FORWARD("gemm", "gemm_forward"),

    SIGMOID_FORWARD("activation", "sigmoid_forward"),
    SIGMOID_BACKWARD("activation", "sigmoid_backward"),
    TANH_FORWARD("activation", "tanh_forward"),
    TANH_BACKWARD("activation", "tanh_backward"),
    RELU_FORWARD("activation", "relu_forward"),
    RELU_BACKWARD("activation", "relu_backward"),
    LEAKY_RELU_FORWARD("activation", "leaky_relu_forward"),
    LEAKY_RELU_BACKWARD("activation", "leaky_relu_backward"),
    ADD_BIAS_FORWARD("activation", "add_bias_forward"),

    SOFTMAX_FORWARD("softmax", "softmax_forward"),
    LOG_SOFTMAX_FORWARD("softmax", "log_softmax_forward"),
    SOFTMAX_XENT_FORWARD_BACKWARD("softmax", "softmax_xent_forward_backward"),

    LSTM_FORWARD("recurrent", "lstm_forward"),
    LSTM_BACKWARD("recurrent", "lstm_backward"),
    GRU_FORWARD("recurrent", "gru_forward"),
    GRU_BACKWARD("recurrent", "gru_backward"),

    IM2COL_FORWARD("im2col", "im2col_forward"),
    COL2IM_BACKWARD("im2col", "col2im_backward"),
    IM2COL_BATCH_FORWARD("im2col", "im2col_batch_forward"),
    CONV_OUTPUT_FORWARD("im2col", "conv_output_forward"),

    MAXPOOL_FORWARD("pool", "maxpool_forward"),
    MAXPOOL_BACKWARD("pool", "maxpool_backward"),
    AVGPOOL_FORWARD("pool", "avgpool_forward");

    /** Where the committed PTX lives on the class path. */
    public static final String RESOURCE_DIR = "/io/streamnet/engine/cuda/";

    private final String module;
    private final String entry;

    CudaKernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    public String module() {
        return module;
    }

    public String entry() {
        return entry;
    }

    public String resource() {
        return RESOURCE_DIR + module + ".ptx";
    }
}
