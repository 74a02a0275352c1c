package dev.millrace.featurestore.online;

/** A read found no current version: nothing has been published yet (the server is not ready). */
public class NoCurrentVersionException extends OnlineStoreException {

    public NoCurrentVersionException() {
        super("the online store has no current version (run bin/millrace publish)");
    }
}
