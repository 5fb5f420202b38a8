package io.streamnet.bench.peers;

import io.streamnet.schemas.Prediction;
import io.streamnet.serving.sequence.SequenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Keyed LSTM inference the way a DL4J user must write it: one {@code MultiLayerNetwork} per
 * subtask, and for every event its key's (h, c) set into the network, one {@code rnnTimeStep} at
 * batch 1, and the new state read back into Flink's keyed state. DL4J keeps one recurrent state
 * per network, so there is no batching across keys.
 */
final class Dl4jKeyedLstm extends KeyedProcessFunction<String, SequenceEvent, Prediction> {
    private static final long serialVersionUID = 1L;
    private static final String PREV_H = org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_ACTIVATION;
    private static final String PREV_C = org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_MEMCELL;
    private final int features;
    private final int hidden;
    private final int classes;
    private transient MultiLayerNetwork net;
    private transient ValueState<float[]> state; // (h, c): 2H floats

    Dl4jKeyedLstm(int features, int hidden, int classes) {
        this.features = features;
        this.hidden = hidden;
        this.classes = classes;
    }

    static MultiLayerNetwork network(int features, int hidden, int classes) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().nIn(features).nOut(hidden).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** Loads ND4J's native backend and steps a network once: throws where DL4J cannot run. */
    static void probe() {
        network(4, 8, 2).rnnTimeStep(Nd4j.create(new float[4], 1, 4));
    }

    /** deeplearning4j-nn's version, from its jar's Maven metadata. */
    static String version() {
        try (var in = MultiLayerNetwork.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(version unknown)");
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    @Override
    public void open(OpenContext ctx) {
        net = network(features, hidden, classes);
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("dl4j-hc",
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(SequenceEvent e, Context ctx, Collector<Prediction> out) throws Exception {
        float[] hc = state.value();
        if (hc == null) {
            net.rnnClearPreviousState();
        } else {
            Map<String, INDArray> s = new HashMap<>();
            s.put(PREV_H, Nd4j.create(java.util.Arrays.copyOfRange(hc, 0, hidden),
                    1, hidden));
            s.put(PREV_C,
                    Nd4j.create(java.util.Arrays.copyOfRange(hc, hidden, 2 * hidden), 1, hidden));
            net.rnnSetPreviousState(0, s);
        }
        INDArray y = net.rnnTimeStep(Nd4j.create(e.features, 1, features)); // (1, classes)
        Map<String, INDArray> next = net.rnnGetPreviousState(0);
        float[] h = next.get(PREV_H).toFloatVector();
        float[] c = next.get(PREV_C).toFloatVector();
        float[] nhc = new float[2 * hidden];
        System.arraycopy(h, 0, nhc, 0, hidden);
        System.arraycopy(c, 0, nhc, hidden, hidden);
        state.update(nhc);
        out.collect(PeerPredictions.of(e, y.toFloatVector(), "dl4j-lstm"));
    }
}
