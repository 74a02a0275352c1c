package dev.millrace.featurestore.online;

/** A flip or rollback lost a race: the pointer is no longer what the caller read, so nothing was changed. */
public class PointerMovedException extends OnlineStoreException {

    public PointerMovedException(String message) {
        super(message);
    }
}
