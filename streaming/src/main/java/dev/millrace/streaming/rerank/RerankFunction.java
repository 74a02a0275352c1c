package dev.millrace.streaming.rerank;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.streaming.flink.UserFeatures;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * DJL streaming inference: re-ranks each active user's published candidates (the recommendation list of the current
 * store version) with the ranker, batched. Users whose features changed collect in keyed state (keyed by a bucket,
 * a hash of the user's key, so each subtask batches) until {@code batch-size} users or {@code max-wait}; then one predictor call
 * scores every candidate of the batch, and each user's candidates come out ordered by the model's score. A user with
 * no published list (or a store with nothing published) is skipped.
 */
public final class RerankFunction extends KeyedProcessFunction<Integer, UserFeatures, RerankedList> {

    private static final long serialVersionUID = 1L;

    private final RerankSettings settings;
    private final StoreSettings storeSettings;
    private transient MapState<String, UserFeatures> pending;
    private transient ValueState<Integer> pendingCount;
    private transient ValueState<Long> timer;
    private transient ZooModel<NDList, NDList> model;
    private transient Predictor<NDList, NDList> predictor;
    private transient NDManager manager;
    private transient OnlineStore store;
    private transient Counter batches;
    private transient Counter users;
    private transient Counter candidates;

    public RerankFunction(RerankSettings settings, StoreSettings storeSettings) {
        this.settings = settings;
        this.storeSettings = storeSettings;
    }

    /** Buckets users are spread over (each bucket is one key of the batching state). */
    static final int BUCKETS = 128;

    /**
     * The bucket a user's features are batched in: a hash of the user's key. String's hash is defined by the Java
     * spec, so a bucket is the same in every JVM and after a restore.
     */
    public static int bucket(String userId) {
        return Math.floorMod(userId.hashCode(), BUCKETS);
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("rerank-pending", String.class, UserFeatures.class));
        pendingCount = getRuntimeContext().getState(new ValueStateDescriptor<>("rerank-count", Integer.class));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("rerank-timer", Long.class));
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(Path.of(settings.modelLocation()))
                .optEngine(settings.engine())
                .build();
        model = criteria.loadModel();
        predictor = model.newPredictor();
        manager = NDManager.newBaseManager(settings.engine());
        store = OnlineStores.open(storeSettings);
        batches = getRuntimeContext().getMetricGroup().counter("rerankBatches");
        users = getRuntimeContext().getMetricGroup().counter("rerankUsers");
        candidates = getRuntimeContext().getMetricGroup().counter("rerankCandidates");
    }

    @Override
    public void processElement(UserFeatures f, Context ctx, Collector<RerankedList> out) throws Exception {
        int count = pendingCount.value() == null ? 0 : pendingCount.value();
        if (!pending.contains(f.userId)) {
            count++;
        }
        pending.put(f.userId, f);
        pendingCount.update(count);
        if (count >= settings.batchSize()) {
            flush(ctx.timerService(), out);
        } else if (timer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + settings.maxWait().toMillis();
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RerankedList> out) throws Exception {
        timer.clear();
        flush(ctx.timerService(), out);
    }

    private void flush(org.apache.flink.streaming.api.TimerService timers, Collector<RerankedList> out) throws Exception {
        List<UserFeatures> batch = new ArrayList<>();
        for (Map.Entry<String, UserFeatures> e : pending.entries()) {
            batch.add(e.getValue());
        }
        pending.clear();
        pendingCount.clear();
        Long t = timer.value();
        if (t != null) {
            timers.deleteProcessingTimeTimer(t);
            timer.clear();
        }
        for (RerankedList r : rerank(batch)) {
            out.collect(r);
        }
    }

    /** Scores the published candidates of every user in the batch with one predictor call. */
    List<RerankedList> rerank(List<UserFeatures> batch) throws Exception {
        List<UserFeatures> withLists = new ArrayList<>();
        List<PublishedList> lists = new ArrayList<>();
        for (UserFeatures f : batch) {
            PublishedList rec = published(f.userId);
            if (rec != null && rec.size() > 0) {
                withLists.add(f);
                lists.add(rec);
            }
        }
        int rows = lists.stream().mapToInt(PublishedList::size).sum();
        if (rows == 0) {
            return List.of();
        }
        int width = settings.inputs().size();
        float[] matrix = new float[rows * width];
        int row = 0;
        for (int u = 0; u < withLists.size(); u++) {
            PublishedList rec = lists.get(u);
            for (int c = 0; c < rec.size(); c++) {
                CandidateInputs.fill(settings.inputs(), withLists.get(u), rec.items()[c], rec.scores()[c], c, matrix, row * width);
                row++;
            }
        }
        float[] scores;
        try (NDManager m = manager.newSubManager()) {
            NDList result = predictor.predict(new NDList(m.create(matrix, new Shape(rows, width))));
            scores = result.get(0).toFloatArray();
        }
        if (scores.length != rows) {
            throw new IllegalStateException("the ranker returned " + scores.length + " scores for " + rows + " candidates");
        }
        batches.inc();
        users.inc(withLists.size());
        candidates.inc(rows);
        List<RerankedList> out = new ArrayList<>(withLists.size());
        int offset = 0;
        for (int u = 0; u < withLists.size(); u++) {
            PublishedList rec = lists.get(u);
            int base = offset;
            Integer[] order = IntStream.range(0, rec.size()).boxed().toArray(Integer[]::new);
            // Best first; ties keep the published order.
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[base + i]).thenComparingInt(i -> i));
            RerankedList r = new RerankedList();
            r.userId = withLists.get(u).userId;
            r.items = new String[order.length];
            r.scores = new float[order.length];
            for (int k = 0; k < order.length; k++) {
                r.items[k] = rec.items()[order[k]];
                r.scores[k] = scores[base + order[k]];
            }
            r.model = settings.modelName();
            r.publishedModelVersion = rec.modelVersion();
            r.featureTsMillis = withLists.get(u).featureTsMillis;
            out.add(r);
            offset += rec.size();
        }
        return out;
    }

    private PublishedList published(String userId) {
        try {
            Lookup l = store.lookup(Keyspace.RECOMMENDATIONS, userId);
            return l.found().map(RecommendationRecord::decode).map(PublishedList::of).orElse(null);
        } catch (NoCurrentVersionException e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        if (predictor != null) {
            predictor.close();
        }
        if (model != null) {
            model.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
