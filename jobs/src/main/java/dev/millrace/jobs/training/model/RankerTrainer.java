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
 * Trains the ranker with DJL (PyTorch engine, CPU) on a {@link RankerInput}: each epoch walks its row files (the
 * export's rows of the configured split with the standardised ALS score appended), then its ALS candidate files
 * {@code candidate-repeats} times, each file a {@link ShardDataset} shuffled within itself, so memory is one file
 * whatever the row count; sigmoid cross-entropy on the label, Adam.
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
     * @param inputs the length of each row's vector (the export's features and the ALS score)
     * @param input  rows then candidate rows (those whose negatives are the hard ones: items ALS ranks high that the
     *               user did not pick), at least one row in all
     */
    public Trained train(int inputs, RankerInput input, Configuration conf, Path out)
            throws IOException, TranslateException {
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) s.rankerSeed());
        List<String> pass = new ArrayList<>(input.rowFiles());
        for (int r = 0; r < s.candidateRepeats(); r++) {
            pass.addAll(input.candidateFiles());
        }
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
                // The one file held: kept while the next pass entry is the same file (a single candidate file
                // repeated), read again otherwise.
                String held = null;
                ShardDataset ds = null;
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    double sum = 0;
                    long batches = 0;
                    for (String file : pass) {
                        if (!file.equals(held)) {
                            ds = ShardDataset.builder().file(file).hadoopConf(conf)
                                    .setSampling(s.batchSize(), true).build();
                            ds.prepare(null);
                            held = file;
                        }
                        if (ds.size() == 0) {
                            continue;
                        }
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
        return new Trained(layers, input.totalRows(), lastLoss);
    }
}
