package io.streamnet.datasets;

import java.io.IOException;

/** A downloaded file did not hash to the published sha256; the file has already been deleted. */
public final class ChecksumMismatchException extends IOException {
    private final String fileName;
    private final String expectedSha256;
    private final String actualSha256;

    public ChecksumMismatchException(String fileName, String source, String expectedSha256, String actualSha256) {
        super("checksum mismatch for " + fileName + " downloaded from " + source + ": expected sha256 "
                + expectedSha256 + " but got " + actualSha256 + " (the download was deleted)");
        this.fileName = fileName;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    public String fileName() {
        return fileName;
    }

    public String expectedSha256() {
        return expectedSha256;
    }

    public String actualSha256() {
        return actualSha256;
    }
}
