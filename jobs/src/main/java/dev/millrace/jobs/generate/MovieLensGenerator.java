package dev.millrace.jobs.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes interaction data in the MovieLens ml-latest-small layout (ratings.csv, movies.csv, tags.csv, links.csv; only
 * ratings.csv for the interactions shape, with the same bytes as the full layout's for the same spec):
 * long-tailed movie popularity, a few very active users and many light ones, genre tastes, sessions of ratings
 * spread over years, and optionally broken rows. Memory is O(users + movies) whatever the number of events, and the
 * output depends only on the spec (each user has a random stream derived from the seed and the user id).
 */
public final class MovieLensGenerator {

    private static final double GENRE_PICK = 0.6;
    private static final double TAG_RATE = 0.035;
    private static final String[] TAGS = {"funny", "atmospheric", "twist ending", "visually appealing", "classic",
        "dark comedy", "thought-provoking", "predictable", "great soundtrack", "slow", "based on a book", "quirky",
        "overrated", "cult film", "beautiful", "violent", "romantic", "sci-fi", "must see", "boring"};

    private final GeneratorSpec spec;

    public MovieLensGenerator(GeneratorSpec spec) {
        this.spec = spec;
    }

    /** Generates into {@code dir} (created if needed) and returns the manifest it also writes there. */
    public Map<String, Object> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom root = new SplittableRandom(spec.seed());
        Catalogue catalogue = new Catalogue(spec.items(), root.split());
        long[] perUser = allocateEvents(root.split());

        boolean full = spec.shape() != Shape.INTERACTIONS;
        SplittableRandom linkRandom = root.split();
        if (full) {
            writeMovies(dir.resolve("movies.csv"), catalogue);
            writeLinks(dir.resolve("links.csv"), catalogue, linkRandom);
        }
        BadRows bad = new BadRows(spec.badFraction());
        long[] written = writeRatingsAndTags(dir, catalogue, perUser, bad, full);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("shape", spec.shape().toString());
        manifest.put("seed", spec.seed());
        manifest.put("users", spec.users());
        manifest.put("movies", full ? (long) spec.items() : 0L);
        manifest.put("rating_rows", spec.events());
        manifest.put("rating_lines", written[0]);
        manifest.put("tag_lines", written[1]);
        manifest.put("links", full ? (long) spec.items() : 0L);
        Map<String, Long> badCounts = new LinkedHashMap<>();
        long replaced = 0;
        for (Map.Entry<BadRows.Kind, Long> e : bad.counts().entrySet()) {
            badCounts.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT), e.getValue());
            if (BadRows.replacesGoodRow(e.getKey())) {
                replaced += e.getValue();
            }
        }
        manifest.put("good_rating_rows", spec.events() - replaced);
        manifest.put("bad_rating_lines", badCounts);
        Files.writeString(dir.resolve("_generator.json"), toJson(manifest));
        return manifest;
    }

    /**
     * Splits the events over users with a heavy-tailed (Pareto) activity, capped so that no user rates more than a
     * third of the catalogue; the total is exact.
     */
    long[] allocateEvents(SplittableRandom random) {
        int n = Math.toIntExact(spec.users());
        double[] weight = new double[n];
        double total = 0;
        for (int u = 0; u < n; u++) {
            weight[u] = Math.pow(1.0 - random.nextDouble(), -1.0 / 1.3);
            total += weight[u];
        }
        long cap = Math.max(1, spec.items() / 3);
        if (cap * n < spec.events()) {
            throw new IllegalArgumentException("cannot place " + spec.events() + " distinct ratings: " + n
                    + " users x at most " + cap + " movies each; add users or items");
        }
        long[] perUser = new long[n];
        long assigned = 0;
        for (int u = 0; u < n; u++) {
            perUser[u] = Math.min(cap, (long) Math.floor(spec.events() * weight[u] / total));
            assigned += perUser[u];
        }
        // Hand out the remainder one by one, most active users first among those below the cap.
        Integer[] order = new Integer[n];
        for (int u = 0; u < n; u++) {
            order[u] = u;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weight[b], weight[a]));
        long remaining = spec.events() - assigned;
        int i = 0;
        while (remaining > 0) {
            int u = order[i % n];
            if (perUser[u] < cap) {
                long add = Math.min(remaining, Math.max(1, Math.min(cap - perUser[u], remaining / n + 1)));
                perUser[u] += add;
                remaining -= add;
            }
            i++;
        }
        return perUser;
    }

    private long[] writeRatingsAndTags(Path dir, Catalogue catalogue, long[] perUser, BadRows bad, boolean withTags)
            throws IOException {
        long startSec = spec.start().getEpochSecond();
        long spanSec = spec.end().getEpochSecond() - startSec;
        try (CsvOut ratings = new CsvOut(dir.resolve("ratings.csv"));
             CsvOut tags = withTags ? new CsvOut(dir.resolve("tags.csv")) : CsvOut.discard()) {
            ratings.text("userId").text("movieId").text("rating").text("timestamp").endLine();
            tags.text("userId").text("movieId").text("tag").text("timestamp").endLine();
            for (int u = 0; u < perUser.length; u++) {
                if (perUser[u] == 0) {
                    continue;
                }
                // A stream per user: the output does not depend on how other users were drawn.
                SplittableRandom random = new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L + u);
                UserTaste taste = new UserTaste(catalogue, random);
                int[] movies = pickMovies(catalogue, taste, (int) perUser[u], random);
                Arrays.sort(movies);
                long first = startSec + (long) (random.nextDouble() * spanSec * 0.9);
                long active = Math.min(startSec + spanSec - first, (long) (-Math.log(1 - random.nextDouble())
                        * 400 * 86_400L) + 3_600);
                int sessions = 1 + (int) (perUser[u] / 25);
                long[] sessionStart = new long[sessions];
                for (int s = 0; s < sessions; s++) {
                    sessionStart[s] = first + (long) (random.nextDouble() * active);
                }
                long userId = u + 1L;
                for (int movie : movies) {
                    long ts = sessionStart[random.nextInt(sessions)] + random.nextInt(5_400);
                    double rating = taste.rate(catalogue, movie, random);
                    long movieId = Catalogue.movieId(movie);
                    if (bad.pick(random)) {
                        bad.write(ratings, random, userId, movieId, rating, ts);
                    } else {
                        ratings.field(userId).field(movieId).rating(rating).field(ts).endLine();
                    }
                    if (random.nextDouble() < TAG_RATE) {
                        tags.field(userId).field(movieId).text(TAGS[(int) (Math.pow(random.nextDouble(), 2)
                                * TAGS.length)]).field(ts + 1 + random.nextInt(120)).endLine();
                    }
                }
            }
            return new long[] {ratings.lines() - 1, withTags ? tags.lines() - 1 : 0};
        }
    }

    private static int[] pickMovies(Catalogue catalogue, UserTaste taste, int count, SplittableRandom random) {
        int[] picked = new int[count];
        java.util.BitSet seen = new java.util.BitSet(catalogue.size);
        int n = 0;
        long attempts = 0;
        int fallbackRank = 0;
        while (n < count) {
            int movie;
            if (attempts++ > 20L * count + 1000) {
                // The popular head is exhausted for a very heavy user: take the next unseen movie by popularity.
                while (seen.get(catalogue.byPopularity[fallbackRank])) {
                    fallbackRank++;
                }
                movie = catalogue.byPopularity[fallbackRank];
            } else if (random.nextDouble() < GENRE_PICK) {
                int g = taste.favouriteGenre(random);
                ZipfSampler sampler = catalogue.perGenre[g];
                movie = sampler == null ? catalogue.byPopularity[catalogue.overall.sample(random)]
                        : catalogue.genreByPopularity[g][sampler.sample(random)];
            } else {
                movie = catalogue.byPopularity[catalogue.overall.sample(random)];
            }
            if (!seen.get(movie)) {
                seen.set(movie);
                picked[n++] = movie;
            }
        }
        return picked;
    }

    private void writeMovies(Path file, Catalogue catalogue) throws IOException {
        try (CsvOut out = new CsvOut(file)) {
            out.text("movieId").text("title").text("genres").endLine();
            for (int i = 0; i < catalogue.size; i++) {
                out.field(Catalogue.movieId(i)).text(catalogue.titles[i]).text(catalogue.genreField(i)).endLine();
            }
        }
    }

    private void writeLinks(Path file, Catalogue catalogue, SplittableRandom random) throws IOException {
        try (CsvOut out = new CsvOut(file)) {
            out.text("movieId").text("imdbId").text("tmdbId").endLine();
            for (int i = 0; i < catalogue.size; i++) {
                out.field(Catalogue.movieId(i)).text(String.format("%07d", 100_000 + i * 7L % 9_000_000));
                if (random.nextInt(1000) < 2) {
                    out.text("");
                } else {
                    out.field(10_000L + i);
                }
                out.endLine();
            }
        }
    }

    static String toJson(Map<String, Object> map) {
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            sb.append("  \"").append(e.getKey()).append("\": ");
            if (e.getValue() instanceof Map<?, ?> m) {
                sb.append('{');
                int j = 0;
                for (Map.Entry<?, ?> f : m.entrySet()) {
                    sb.append(j++ > 0 ? ", " : "").append('"').append(f.getKey()).append("\": ").append(f.getValue());
                }
                sb.append('}');
            } else if (e.getValue() instanceof String str) {
                sb.append('"').append(str.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                sb.append(e.getValue());
            }
            sb.append(++i < map.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }

    /** One user's tastes: a rating bias and two favourite genres that raise both picks and ratings. */
    private static final class UserTaste {
        final double bias;
        final int[] favourites;

        UserTaste(Catalogue catalogue, SplittableRandom random) {
            bias = random.nextGaussian() * 0.45;
            favourites = new int[] {catalogue.genreIndex(random), catalogue.genreIndex(random)};
        }

        int favouriteGenre(SplittableRandom random) {
            return favourites[random.nextInt(favourites.length)];
        }

        double rate(Catalogue catalogue, int movie, SplittableRandom random) {
            double affinity = 0;
            for (int g : catalogue.genres[movie]) {
                if (g == favourites[0] || g == favourites[1]) {
                    affinity = 0.6;
                }
            }
            double raw = catalogue.quality[movie] + bias + affinity + random.nextGaussian() * 0.7;
            return Catalogue.clamp(Math.round(raw * 2) / 2.0, 0.5, 5.0);
        }
    }
}
