package dev.millrace.udfs.runtime;

/** The model cache's key: a model, its version, engine and the device it is loaded on. */
public record ModelKey(String name, String version, String engine, String device) {
    @Override
    public String toString() {
        return name + ":" + version + "/" + engine + "@" + device;
    }
}
