package dev.millrace.udfs.runtime;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Loads a model's local copy with DJL's {@link Criteria} on a given device, offline, with the reference's options. */
public final class ModelLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);
    private static final Pattern PARAMS = Pattern.compile("(.+)-(\\d{4})\\.params");

    private ModelLoader() {
    }

    /** Fails with the Maven artifact to add when the engine is not on the class path. */
    public static void requireEngine(ModelEngine engine) {
        if (!Engine.hasEngine(engine.djlName())) {
            throw new ModelException("DJL engine " + engine.djlName() + " is not on the class path (engines found: "
                    + Engine.getAllEngines() + "); add " + engine.artifact());
        }
    }

    static LoadedModel load(ModelKey key, ModelRef ref, ModelSignature signature, ModelArtifact artifact, Path localRoot,
                            Device device) {
        requireEngine(ref.engine());
        long start = System.nanoTime();
        Path path = artifact.materialize(localRoot.resolve(safe(ref.name()) + "-" + safe(ref.version())));
        Criteria.Builder<FeatureBatch, BatchResult> criteria = Criteria.builder()
                .setTypes(FeatureBatch.class, BatchResult.class)
                .optEngine(ref.engine().djlName())
                .optDevice(device)
                .optTranslator(new BatchTranslator(signature))
                .optModelPath(path);
        if (ref.engine() == ModelEngine.PYTORCH && Files.isDirectory(path)) {
            String prefix = paramsPrefix(path);
            if (prefix != null) {
                criteria.optModelName(prefix);
            }
        }
        for (Map.Entry<String, String> o : ref.options().entrySet()) {
            // Engine options (ONNX Runtime session options) and model-loading arguments (blockFactory and its
            // parameters) are two maps in DJL; each side ignores the keys it does not know.
            criteria.optArgument(o.getKey(), o.getValue());
            if (!o.getKey().equals("blockFactory")) {
                criteria.optOption(o.getKey(), o.getValue());
            }
        }
        try {
            ZooModel<FeatureBatch, BatchResult> model = criteria.build().loadModel();
            long nanos = System.nanoTime() - start;
            LOG.info("loaded model {} ({} bytes, sha256 {}) in {} ms", key, artifact.sizeBytes(), artifact.sha256().substring(0, 12),
                    nanos / 1_000_000);
            return new LoadedModel(key, artifact.sha256(), model, nanos);
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new ModelException("cannot load model " + ref.id() + " from " + artifact.location() + " with " + ref.engine().djlName()
                    + ": " + rootMessage(e), e);
        }
    }

    private static String paramsPrefix(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> PARAMS.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).map(m -> m.group(1)).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                sb.append(" <- ").append(t.getMessage());
            }
        }
        return sb.toString();
    }
}
