package dev.millrace.featurestore.definitions;

/** A feature, entity or source definition in conf that cannot work; the message names the definition and the fix. */
public final class FeatureDefinitionException extends IllegalArgumentException {

    public FeatureDefinitionException(String message) {
        super(message);
    }

    public FeatureDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
