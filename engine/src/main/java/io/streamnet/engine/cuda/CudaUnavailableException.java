package io.streamnet.engine.cuda;

/** CUDA cannot be used here: no driver, no device, an unsupported device or PTX. The message is the reason. */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
