package dev.millrace.featurestore.online;

/** The online store failed or refused an operation; the message says which and why, never a secret. */
public class OnlineStoreException extends RuntimeException {

    public OnlineStoreException(String message) {
        super(message);
    }

    public OnlineStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
