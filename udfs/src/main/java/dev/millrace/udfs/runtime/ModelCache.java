package dev.millrace.udfs.runtime;

import ai.djl.Device;
import dev.millrace.udfs.ModelRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM-wide cache of loaded models, so that a model is loaded once per executor JVM and not per task: keyed by
 * model, version, engine and device, least recently used first out when more than {@code maxModels} are loaded.
 * Callers hold a {@link Lease} while they use a model; an evicted model is closed when its last lease is returned.
 * Size: {@code -Dmillrace.udfs.cache.max-models} (default 4); local copies: {@code -Dmillrace.udfs.cache.dir}.
 */
public final class ModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final ModelCache GLOBAL = new ModelCache(Integer.getInteger("millrace.udfs.cache.max-models", 4),
            Path.of(System.getProperty("millrace.udfs.cache.dir", System.getProperty("java.io.tmpdir") + "/millrace-models")));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(GLOBAL::close, "millrace-model-cache-close"));
    }

    private final int maxModels;
    private final Path localRoot;
    private final LinkedHashMap<ModelKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<ModelKey, AtomicLong> loads = new ConcurrentHashMap<>();

    ModelCache(int maxModels, Path localRoot) {
        if (maxModels < 1) {
            throw new IllegalArgumentException("model cache needs room for at least one model");
        }
        this.maxModels = maxModels;
        this.localRoot = localRoot;
    }

    public static ModelCache global() {
        return GLOBAL;
    }

    /**
     * The model for {@code ref} on {@code device}, loading it (once, however many threads ask) when absent or when the
     * cached copy has other bytes than {@code artifact}.
     */
    public Lease acquire(ModelRef ref, ModelSignature signature, ModelArtifact artifact, Device device) {
        ModelKey key = new ModelKey(ref.name(), ref.version(), ref.engine().djlName(), device.toString());
        Entry entry;
        List<Entry> evicted = new ArrayList<>();
        synchronized (this) {
            entry = entries.get(key);
            if (entry != null && entry.digest != null && !entry.digest.equals(artifact.sha256())) {
                LOG.warn("model {} changed bytes under the same version; reloading", key);
                entries.remove(key);
                evicted.add(entry);
                entry = null;
            }
            if (entry == null) {
                entry = new Entry(artifact.sha256());
                entries.put(key, entry);
                Iterator<Map.Entry<ModelKey, Entry>> it = entries.entrySet().iterator();
                while (entries.size() > maxModels && it.hasNext()) {
                    Map.Entry<ModelKey, Entry> oldest = it.next();
                    if (oldest.getValue() != entry) {
                        it.remove();
                        evicted.add(oldest.getValue());
                    }
                }
            }
            entry.lease();
        }
        evicted.forEach(Entry::retire);
        boolean loadedNow;
        try {
            loadedNow = entry.ensureLoaded(() -> {
                loads.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                return ModelLoader.load(key, ref, signature, artifact, localRoot, device);
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                entries.remove(key, entry);
            }
            entry.release();
            throw e;
        }
        return new Lease(entry, loadedNow);
    }

    /** How many times {@code name:version} was loaded in this JVM, on any device (for tests and metrics). */
    public long loadCount(String name, String version) {
        return loads.entrySet().stream().filter(e -> e.getKey().name().equals(name) && e.getKey().version().equals(version))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    /** Closes every model whose lease is returned; the others when their last lease is. */
    public void close() {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(entries.values());
            entries.clear();
        }
        all.forEach(Entry::retire);
    }

    /** A model in use; return it with {@link #close()}. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final boolean loadedNow;
        private boolean returned;

        private Lease(Entry entry, boolean loadedNow) {
            this.entry = entry;
            this.loadedNow = loadedNow;
        }

        public LoadedModel model() {
            return entry.model;
        }

        /** True when this acquire loaded the model (a cache miss). */
        public boolean loadedNow() {
            return loadedNow;
        }

        @Override
        public void close() {
            if (!returned) {
                returned = true;
                entry.release();
            }
        }
    }

    private static final class Entry {
        private final String digest;
        private LoadedModel model;
        private int leases;
        private boolean retired;

        Entry(String digest) {
            this.digest = digest;
        }

        synchronized void lease() {
            leases++;
        }

        synchronized boolean ensureLoaded(java.util.function.Supplier<LoadedModel> loader) {
            if (model != null) {
                return false;
            }
            model = loader.get();
            return true;
        }

        void release() {
            LoadedModel toClose = null;
            synchronized (this) {
                leases--;
                if (retired && leases == 0 && model != null) {
                    toClose = model;
                }
            }
            if (toClose != null) {
                toClose.close();
            }
        }

        void retire() {
            LoadedModel toClose = null;
            synchronized (this) {
                retired = true;
                if (leases == 0 && model != null) {
                    toClose = model;
                }
            }
            if (toClose != null) {
                toClose.close();
            }
        }
    }
}
