package dev.millrace.udfs.runtime;

/** A model cannot be used: missing or corrupt file, missing engine, a mapping that does not fit the model. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
