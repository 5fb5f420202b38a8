package io.streamnet.interop.onnx;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.cnn.CnnImport;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;

/**
 * An ONNX model into the project's: a graph with {@code RNN}, {@code LSTM} or {@code GRU} nodes
 * becomes a {@link io.streamnet.rnn.model.SequenceModel} (through the PyTorch mapping, gates
 * reordered), a graph of convolutions over an image a {@link Sequential} CNN. ONNX carries no
 * vocabulary, so a token model is given one; nor does it say whether a head without a softmax
 * classifies, so {@code task} may say (default classification).
 */
public final class OnnxImport {
    private OnnxImport() {
    }

    /** What the file held: exactly one of the two is set. */
    public record Imported(RecurrentImport.Imported recurrent, Sequential cnn, boolean endsInSoftmax) {
        public boolean isRecurrent() {
            return recurrent != null;
        }
    }

    public static Imported toModel(Backend backend, OnnxGraph graph, Task task, Vocabulary vocabulary)
            throws ImportException {
        boolean recurrent = false;
        for (NodeProto n : graph.nodes()) {
            recurrent |= RecurrentGraph.CELLS.contains(n.getOpType());
        }
        if (recurrent) {
            RecurrentGraph.Translated t = RecurrentGraph.translate(graph, task, vocabulary);
            boolean softmax = graph.producer(graph.output()).getOpType().equals("Softmax");
            return new Imported(RecurrentImport.toModel(backend, t.stateDict(), t.arch()), null, softmax);
        }
        if (task == Task.REGRESSION) {
            throw new ImportException("a CNN imports as a frame classifier, not a regression model");
        }
        CnnGraph.Translated t = CnnGraph.translate(graph);
        return new Imported(null, CnnImport.toModel(backend, t.input(), t.layers()), t.softmax());
    }
}
