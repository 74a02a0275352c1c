package dev.millrace.udfs;

import java.util.Locale;

/** The DJL engines a model can run on; the name is DJL's engine name, used in {@code Criteria.optEngine}. */
public enum ModelEngine {
    ONNX_RUNTIME("OnnxRuntime", "ai.djl.onnxruntime:onnxruntime-engine"),
    PYTORCH("PyTorch", "ai.djl.pytorch:pytorch-engine, pytorch-jni and pytorch-native-cpu");

    private final String djlName;
    private final String artifact;

    ModelEngine(String djlName, String artifact) {
        this.djlName = djlName;
        this.artifact = artifact;
    }

    public String djlName() {
        return djlName;
    }

    /** The Maven artifact(s) that provide this engine, for error messages. */
    public String artifact() {
        return artifact;
    }

    /** Accepts DJL's names ("OnnxRuntime", "PyTorch") and the enum names, case-insensitively. */
    public static ModelEngine parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        for (ModelEngine e : values()) {
            if (e.djlName.toLowerCase(Locale.ROOT).equals(n) || e.name().replace("_", "").toLowerCase(Locale.ROOT).equals(n)) {
                return e;
            }
        }
        if (n.equals("onnx") || n.equals("ort")) {
            return ONNX_RUNTIME;
        }
        if (n.equals("torch") || n.equals("pt")) {
            return PYTORCH;
        }
        throw new IllegalArgumentException("unknown model engine '" + name + "': expected OnnxRuntime or PyTorch");
    }
}
