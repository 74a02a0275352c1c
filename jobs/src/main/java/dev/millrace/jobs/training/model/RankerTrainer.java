package dev.millrace.jobs.training.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.export.ExportManifest;
import dev.millrace.jobs.training.export.ShardDataset;
import dev.millrace.udfs.registry.RankerBlockFactory;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trains the ranker with DJL (PyTorch engine, CPU) on an export's shards: each epoch walks every shard's rows of the
 * configured split (as {@link ShardDataset}s, the way each worker of a distributed trainer would walk its own),
 * with the standardised ALS score appended to each row's vector, then the ALS candidate rows of the same period;
 * sigmoid cross-entropy on the label, Adam.
 */
public final class RankerTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(RankerTrainer.class);

    /** What training produced. */
    public record Trained(int[] layers, long rows, double finalLoss) {
        public String layerSpec() {
            return IntStream.of(layers).mapToObj(String::valueOf).collect(Collectors.joining(","));
        }
    }

    private final TrainingSettings s;

    public RankerTrainer(TrainingSettings s) {
        this.s = s;
    }

    /**
     * @param extraX rows appended to every epoch after the shards (the ALS candidates of the ranker's split, whose
     *               negatives are the hard ones: items ALS ranks high that the user did not pick), may be empty
     */
    public Trained train(ExportManifest manifest, ShardDataset.ExtraFeature als, float[][] extraX, float[] extraY,
                         Configuration conf, Path out) throws IOException, TranslateException {
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) s.rankerSeed());
        List<ShardDataset> shards = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < manifest.shards().size(); i++) {
            ShardDataset ds = ShardDataset.builder().manifest(manifest).shard(i).split(s.rankerSplit())
                    .extraFeature(als).hadoopConf(conf).setSampling(s.batchSize(), true).build();
            ds.prepare(null);
            rows += ds.size();
            if (ds.size() > 0) {
                shards.add(ds);
            }
        }
        if (rows + extraY.length == 0) {
            throw new IllegalStateException("the export at " + manifest.folder() + " holds no rows of split '"
                    + s.rankerSplit() + "' (millrace.training.ranker.split) to train the ranker on");
        }
        int inputs = manifest.features().size() + 1;
        int[] layers = new int[s.hidden().size() + 2];
        layers[0] = inputs;
        for (int i = 0; i < s.hidden().size(); i++) {
            layers[i + 1] = s.hidden().get(i);
        }
        layers[layers.length - 1] = 1;
        double lastLoss = Double.NaN;
        try (Model model = Model.newInstance("ranker", "PyTorch")) {
            model.setBlock(RankerBlockFactory.block(layers));
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) s.learningRate()))
                            .build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(1, inputs));
                List<ai.djl.training.dataset.Dataset> all = new ArrayList<>(shards);
                if (extraY.length > 0) {
                    ai.djl.ndarray.NDManager m = model.getNDManager();
                    ai.djl.training.dataset.Dataset cands = new ai.djl.training.dataset.ArrayDataset.Builder()
                            .setData(m.create(extraX)).optLabels(m.create(extraY).reshape(extraY.length, 1))
                            .setSampling(s.batchSize(), true).build();
                    for (int r = 0; r < s.candidateRepeats(); r++) {
                        all.add(cands);
                    }
                }
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    double sum = 0;
                    long batches = 0;
                    for (ai.djl.training.dataset.Dataset ds : all) {
                        for (Batch b : trainer.iterateDataset(ds)) {
                            try (ai.djl.training.GradientCollector gc = trainer.newGradientCollector()) {
                                ai.djl.ndarray.NDList pred = trainer.forward(b.getData());
                                ai.djl.ndarray.NDArray loss = trainer.getLoss().evaluate(b.getLabels(), pred);
                                gc.backward(loss);
                                sum += loss.getFloat();
                                batches++;
                            }
                            trainer.step();
                            b.close();
                        }
                    }
                    lastLoss = sum / Math.max(1, batches);
                    LOG.info("ranker epoch {}/{}: mean loss {}", epoch + 1, s.epochs(), lastLoss);
                }
            }
            Files.createDirectories(out);
            model.save(out, "ranker");
        }
        return new Trained(layers, rows + extraY.length, lastLoss);
    }
}
