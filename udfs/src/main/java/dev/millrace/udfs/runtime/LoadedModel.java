package dev.millrace.udfs.runtime;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model loaded on one device, with one predictor per thread (DJL predictors are not meant to be shared between
 * threads, and Spark runs several tasks per JVM). Closes the predictors and the model when closed.
 */
public final class LoadedModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    private final ModelKey key;
    private final String digest;
    private final ZooModel<FeatureBatch, BatchResult> model;
    private final long loadNanos;
    private final Map<Thread, Predictor<FeatureBatch, BatchResult>> predictors = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LoadedModel(ModelKey key, String digest, ZooModel<FeatureBatch, BatchResult> model, long loadNanos) {
        this.key = key;
        this.digest = digest;
        this.model = model;
        this.loadNanos = loadNanos;
    }

    public ModelKey key() {
        return key;
    }

    String digest() {
        return digest;
    }

    /** Nanoseconds the load took (reading the files into the engine and creating the session). */
    public long loadNanos() {
        return loadNanos;
    }

    /** Runs one batch on this thread's predictor. */
    public BatchResult predict(FeatureBatch batch) {
        if (closed) {
            throw new IllegalStateException("model " + key + " is closed");
        }
        Predictor<FeatureBatch, BatchResult> p = predictors.get(Thread.currentThread());
        if (p == null) {
            p = newPredictor();
        }
        try {
            return p.predict(batch);
        } catch (TranslateException e) {
            throw new ModelException("model " + key + " failed on a batch of " + batch.rows() + " rows: " + e.getMessage(), e);
        }
    }

    private Predictor<FeatureBatch, BatchResult> newPredictor() {
        // Spark's task threads come and go; drop the predictors of threads that ended so they do not pile up.
        predictors.entrySet().removeIf(e -> {
            if (!e.getKey().isAlive()) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        Predictor<FeatureBatch, BatchResult> p = model.newPredictor();
        predictors.put(Thread.currentThread(), p);
        return p;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        predictors.values().forEach(Predictor::close);
        predictors.clear();
        model.close();
        // DEBUG: the cache closes models from a JVM shutdown hook, after a command's summary (or a benchmark's
        // last line, which bench/run's contract says is the result) has been printed.
        LOG.debug("closed model {}", key);
    }
}
