package dev.millrace.jobs.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generated movie catalogue: titles in MovieLens style ("Silent River, The (1998)"), release years, genres, and
 * each movie's popularity rank, overall and within each of its genres. Users pick movies through these ranks, mostly
 * from their favourite genres, so the data has structure a recommender can learn.
 */
final class Catalogue {

    static final String[] GENRES = {"Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary",
        "Drama", "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War",
        "Western"};
    private static final double[] GENRE_WEIGHT = {8, 5, 2, 2, 10, 5, 2, 14, 3, 0.5, 4, 0.5, 1, 2.5, 6, 4, 7, 1.5, 1};
    private static final String[] ADJECTIVES = {"Silent", "Broken", "Golden", "Last", "Hidden", "Wild", "Dark",
        "Lost", "Crimson", "Distant", "Electric", "Frozen", "Hollow", "Midnight", "Burning", "Secret", "Restless",
        "Quiet", "Savage", "Velvet", "Iron", "Paper", "Lonely", "Bright"};
    private static final String[] NOUNS = {"River", "City", "Garden", "Empire", "Road", "Summer", "Kingdom", "Harbor",
        "Storm", "Mirror", "Station", "Frontier", "Orchard", "Signal", "Island", "Machine", "Letter", "Voyage",
        "Circus", "Horizon", "Lantern", "Valley", "Tower", "Promise", "Winter", "Dream"};
    private static final String[] SUFFIXES = {"", "", "", "", " II", " Returns", ": The Beginning", " of Time",
        " and the Stranger", ", Part One"};

    final int size;
    final String[] titles;
    final int[] years;
    /** Genre indexes of each movie, empty for "(no genres listed)". */
    final int[][] genres;
    /** Movie index (0-based) holding each overall popularity rank. */
    final int[] byPopularity;
    /** For each genre, its movies in popularity order. */
    final int[][] genreByPopularity;
    /** Intrinsic quality on the rating scale; popular movies tend to be a little better. */
    final double[] quality;
    final ZipfSampler overall;
    final ZipfSampler[] perGenre;

    Catalogue(int size, SplittableRandom random) {
        this.size = size;
        titles = new String[size];
        years = new int[size];
        genres = new int[size][];
        quality = new double[size];
        double totalWeight = 0;
        for (double w : GENRE_WEIGHT) {
            totalWeight += w;
        }
        for (int i = 0; i < size; i++) {
            years[i] = releaseYear(random);
            titles[i] = title(random, years[i]);
            genres[i] = pickGenres(random, totalWeight);
        }
        byPopularity = shuffledIndexes(size, random);
        int[] rankOf = new int[size];
        for (int r = 0; r < size; r++) {
            rankOf[byPopularity[r]] = r;
        }
        for (int i = 0; i < size; i++) {
            double popularityBoost = 0.4 * (1.0 - (double) rankOf[i] / size);
            quality[i] = clamp(3.2 + popularityBoost + random.nextGaussian() * 0.45, 1.0, 4.8);
        }
        List<List<Integer>> lists = new ArrayList<>();
        for (int g = 0; g < GENRES.length; g++) {
            lists.add(new ArrayList<>());
        }
        for (int r = 0; r < size; r++) {
            int movie = byPopularity[r];
            for (int g : genres[movie]) {
                lists.get(g).add(movie);
            }
        }
        genreByPopularity = new int[GENRES.length][];
        perGenre = new ZipfSampler[GENRES.length];
        for (int g = 0; g < GENRES.length; g++) {
            genreByPopularity[g] = lists.get(g).stream().mapToInt(Integer::intValue).toArray();
            perGenre[g] = genreByPopularity[g].length == 0 ? null : new ZipfSampler(genreByPopularity[g].length, 1.0);
        }
        overall = new ZipfSampler(size, 1.05);
    }

    /** MovieLens ids are sparse and start at 1; ours are dense, which keeps them simple to reason about. */
    static long movieId(int index) {
        return index + 1L;
    }

    String genreField(int movie) {
        if (genres[movie].length == 0) {
            return "(no genres listed)";
        }
        StringBuilder sb = new StringBuilder();
        for (int g : genres[movie]) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(GENRES[g]);
        }
        return sb.toString();
    }

    int genreIndex(SplittableRandom random) {
        double total = 0;
        for (double w : GENRE_WEIGHT) {
            total += w;
        }
        return weightedGenre(random, total);
    }

    private static int releaseYear(SplittableRandom random) {
        // Skewed towards recent decades, as catalogues are.
        double u = Math.pow(random.nextDouble(), 0.45);
        return 1925 + (int) Math.floor(u * 99);
    }

    private static String title(SplittableRandom random, int year) {
        String base = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " " + NOUNS[random.nextInt(NOUNS.length)];
        String suffix = SUFFIXES[random.nextInt(SUFFIXES.length)];
        if (random.nextInt(6) == 0) {
            // MovieLens moves a leading article to the end: "Silent River, The (1998)". Such titles need quoting.
            return base + suffix + ", The (" + year + ")";
        }
        return base + suffix + " (" + year + ")";
    }

    private static int[] pickGenres(SplittableRandom random, double totalWeight) {
        if (random.nextInt(60) == 0) {
            return new int[0];
        }
        int count = 1 + (random.nextInt(10) < 4 ? 1 : 0) + (random.nextInt(10) < 2 ? 1 : 0);
        int[] picked = new int[count];
        int n = 0;
        while (n < count) {
            int g = weightedGenre(random, totalWeight);
            boolean seen = false;
            for (int k = 0; k < n; k++) {
                seen |= picked[k] == g;
            }
            if (!seen) {
                picked[n++] = g;
            }
        }
        java.util.Arrays.sort(picked);
        return picked;
    }

    private static int weightedGenre(SplittableRandom random, double totalWeight) {
        double u = random.nextDouble() * totalWeight;
        for (int g = 0; g < GENRE_WEIGHT.length; g++) {
            u -= GENRE_WEIGHT[g];
            if (u <= 0) {
                return g;
            }
        }
        return GENRE_WEIGHT.length - 1;
    }

    private static int[] shuffledIndexes(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
