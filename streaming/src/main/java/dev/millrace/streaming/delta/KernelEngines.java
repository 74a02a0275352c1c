package dev.millrace.streaming.delta;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import org.apache.hadoop.conf.Configuration;

/** Delta Kernel's default engine over Hadoop's file systems (file:, hdfs:, s3a: as the class path allows). */
public final class KernelEngines {

    private KernelEngines() {
    }

    public static Engine create() {
        return DefaultEngine.create(new Configuration());
    }
}
