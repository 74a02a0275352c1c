package dev.millrace.jobs.generate;

import java.util.Locale;

/** The layout {@code generate} writes ({@code --shape}). */
public enum Shape {
    /** ratings.csv, movies.csv, tags.csv and links.csv as in MovieLens ml-latest-small (the default). */
    MOVIELENS,
    /** ratings.csv only: a feed of interactions with no catalogue, tags or links. */
    INTERACTIONS,
    /**
     * orders.csv: e-commerce order lines (invoice, SKU, quantity, time, customer) with string SKUs, customer ids
     * written as {@code NNNNN.0}, blank customers, cancellations and repeated lines; see conf/mappings/orders.conf.
     */
    ORDERS;

    public static Shape parse(String s) {
        for (Shape v : values()) {
            if (v.name().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("--shape must be movielens, interactions or orders, got '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
