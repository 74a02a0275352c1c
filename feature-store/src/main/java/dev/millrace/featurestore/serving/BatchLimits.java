package dev.millrace.featurestore.serving;

/**
 * Bounds of the batch routes ({@code millrace.serving.batch}): how many ids one request may ask for, and how large its
 * JSON body may be. A larger request is refused with 413 before any store read.
 *
 * @param maxIds       ids per request (recommendations or features), at least 1
 * @param maxBodyBytes bytes of the request body; the GET routes keep {@code http.max-body-size}
 */
public record BatchLimits(int maxIds, long maxBodyBytes) {

    public BatchLimits {
        if (maxIds < 1 || maxIds > 100_000) {
            throw new IllegalArgumentException("millrace.serving.batch.max-ids must be 1-100000, got " + maxIds);
        }
        if (maxBodyBytes < 64 || maxBodyBytes > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("millrace.serving.batch.max-body-size must be 64 bytes to 2 GiB, got "
                    + maxBodyBytes);
        }
    }

    @Override
    public String toString() {
        return "batch " + maxIds + " ids/" + maxBodyBytes + " bytes";
    }
}
