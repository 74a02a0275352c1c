package dev.millrace.udfs.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ScoringOptions.DevicePolicy;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.Option;

/**
 * Picks the device for the running task: the first GPU address Spark assigned to the task
 * ({@code spark.task.resource.gpu.amount}), when the engine sees GPUs; the CPU otherwise.
 */
public final class DeviceSelector {

    private static final java.util.Map<ModelEngine, Integer> GPU_COUNTS = new java.util.concurrent.ConcurrentHashMap<>();

    private DeviceSelector() {
    }

    public static Device forCurrentTask(ModelEngine engine, DevicePolicy policy) {
        if (policy == DevicePolicy.CPU) {
            return Device.cpu();
        }
        String address = taskGpu();
        // Only ask the engine about GPUs when Spark gave one: ONNX Runtime's probe logs a warning on CPU-only builds.
        int engineGpus = address == null && policy == DevicePolicy.AUTO ? 0 : gpuCount(engine);
        if (address != null && engineGpus > 0) {
            return Device.gpu(Integer.parseInt(address.trim()));
        }
        if (policy == DevicePolicy.GPU) {
            throw new ModelException("device GPU was asked but " + (address == null ? "Spark gave this task no GPU"
                    : "the " + engine.djlName() + " engine sees no GPU (CPU-only native library?)"));
        }
        return Device.cpu();
    }

    private static int gpuCount(ModelEngine engine) {
        return GPU_COUNTS.computeIfAbsent(engine, e -> Engine.getEngine(e.djlName()).getGpuCount());
    }

    private static String taskGpu() {
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return null;
        }
        Option<ResourceInformation> gpu = tc.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
            return null;
        }
        return gpu.get().addresses()[0];
    }
}
