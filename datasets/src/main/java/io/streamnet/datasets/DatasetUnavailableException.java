package io.streamnet.datasets;

import java.io.IOException;

/**
 * No directory held the dataset and it could not be downloaded. The message lists every place
 * looked in and how to install the data, so it can be shown to a user as is.
 */
public final class DatasetUnavailableException extends IOException {
    public DatasetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
