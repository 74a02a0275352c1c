package dev.millrace.jobs.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes an e-commerce order-lines feed, {@code orders.csv} (invoice, SKU, quantity, time, unit price, customer,
 * country), shaped like a spreadsheet export of a shop: SKUs are strings with letters ({@code B00X4WHP5E},
 * {@code 7340-RED}), customer ids are written as {@code 40213.0}, some orders have no customer, cancellations carry
 * negative quantities and a {@code C} invoice, and an order sometimes lists one SKU twice. Exactly how many lines of
 * each kind it wrote goes into {@code _generator.json}, so that ingest through conf/mappings/orders.conf can be checked
 * to the row. Memory is O(customers + SKUs) whatever the number of lines.
 */
public final class OrdersGenerator {

    /** Share of the lines after an order's first that repeat a SKU already in the order. */
    private static final double REPEAT = 0.05;
    private static final int MAX_LINES = 15;
    private static final long FIRST_CUSTOMER = 10_000;
    private static final String[] COLOURS = {"RED", "BLUE", "GREEN", "BLACK", "WHITE", "PINK", "IVORY"};
    private static final String[] COUNTRIES = {"United Kingdom", "Germany", "France", "Sweden", "Spain", "Norway"};
    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final GeneratorSpec spec;

    public OrdersGenerator(GeneratorSpec spec) {
        if (spec.items() < MAX_LINES) {
            throw new IllegalArgumentException("orders need at least " + MAX_LINES + " SKUs (--items), the most lines "
                    + "of one order");
        }
        this.spec = spec;
    }

    /** Generates into {@code dir} (created if needed) and returns the manifest it also writes there. */
    public Map<String, Object> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom root = new SplittableRandom(spec.seed());
        String[] skus = skus(spec.items(), root.split());
        ZipfSampler popularity = new ZipfSampler(spec.items(), 1.05);
        ZipfSampler activity = new ZipfSampler(Math.toIntExact(spec.users()), 0.8);
        // Line counts come from their own stream, drawn twice: once to count the orders (so that each gets its own
        // second of the time span, and no two orders of a customer share a key), once while writing.
        long sizesSeed = root.nextLong();
        long orders = countOrders(new SplittableRandom(sizesSeed));
        long startSec = spec.start().getEpochSecond();
        long span = spec.end().getEpochSecond() - startSec;
        if (orders > span) {
            throw new IllegalArgumentException("the time span holds " + span + " seconds, fewer than the " + orders
                    + " orders to place one per second; widen --from/--to");
        }
        double step = (double) span / Math.max(1, orders);
        SplittableRandom sizes = new SplittableRandom(sizesSeed);
        SplittableRandom random = root.split();

        long nullKey = 0;
        long negative = 0;
        long repeated = 0;
        long good = 0;
        long blankOrders = 0;
        long cancelledOrders = 0;
        long linesLeft = spec.events();
        try (CsvOut out = new CsvOut(dir.resolve("orders.csv"))) {
            out.text("InvoiceNo").text("StockCode").text("Quantity").text("InvoiceDate").text("UnitPrice")
                    .text("CustomerID").text("Country").endLine();
            for (long k = 0; k < orders; k++) {
                int lines = (int) Math.min(linesLeft, lineCount(sizes));
                linesLeft -= lines;
                boolean blank = random.nextDouble() < spec.blankCustomers();
                boolean cancelled = random.nextDouble() < spec.cancellations();
                blankOrders += blank ? 1 : 0;
                cancelledOrders += cancelled ? 1 : 0;
                String invoice = (cancelled ? "C" : "") + (536_365 + k);
                String customer = blank ? "" : (FIRST_CUSTOMER + activity.sample(random)) + ".0";
                String country = COUNTRIES[(int) (Math.pow(random.nextDouble(), 3) * COUNTRIES.length)];
                long ts = startSec + (long) (k * step) + (step >= 2 ? random.nextInt((int) Math.min(step - 1, 3_600)) : 0);
                String time = LocalDateTime.ofEpochSecond(ts, 0, ZoneOffset.UTC).format(TIME);
                int[] inOrder = new int[lines];
                for (int l = 0; l < lines; l++) {
                    boolean repeat = l > 0 && random.nextDouble() < REPEAT;
                    int sku = repeat ? inOrder[random.nextInt(l)] : distinctSku(popularity, inOrder, l, random);
                    inOrder[l] = sku;
                    int quantity = 1 + (int) (-Math.log(1 - random.nextDouble()) * 4);
                    out.text(invoice).text(skus[sku]).field(cancelled ? -quantity : quantity).text(time)
                            .text(price(sku)).text(customer).text(country).endLine();
                    if (blank) {
                        nullKey++;
                    } else if (cancelled) {
                        negative++;
                    } else if (repeat) {
                        repeated++;
                    } else {
                        good++;
                    }
                }
            }
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("shape", Shape.ORDERS.toString());
        manifest.put("seed", spec.seed());
        manifest.put("customers", spec.users());
        manifest.put("skus", (long) spec.items());
        manifest.put("orders", orders);
        manifest.put("order_lines", spec.events());
        manifest.put("blank_customer_orders", blankOrders);
        manifest.put("cancelled_orders", cancelledOrders);
        // Keys as ingest's quarantine reasons: an empty customer is null_key, a negative quantity negative_weight.
        Map<String, Long> bad = new LinkedHashMap<>();
        if (nullKey > 0) {
            bad.put("null_key", nullKey);
        }
        if (negative > 0) {
            bad.put("negative_weight", negative);
        }
        manifest.put("bad_order_lines", bad);
        // A second line of one SKU in one order: summed into the first by duplicates = sum (ingest's "folded").
        manifest.put("repeated_lines", repeated);
        manifest.put("good_order_rows", good);
        Files.writeString(dir.resolve("_generator.json"), MovieLensGenerator.toJson(manifest));
        return manifest;
    }

    private long countOrders(SplittableRandom sizes) {
        long orders = 0;
        long left = spec.events();
        while (left > 0) {
            left -= Math.min(left, lineCount(sizes));
            orders++;
        }
        return orders;
    }

    /** Lines in one order: most orders are small, a few large. */
    private static int lineCount(SplittableRandom sizes) {
        return Math.min(MAX_LINES, 1 + (int) (-Math.log(1 - sizes.nextDouble()) * 3));
    }

    private static int distinctSku(ZipfSampler popularity, int[] inOrder, int filled, SplittableRandom random) {
        int sku = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
            sku = popularity.sample(random);
            if (!contains(inOrder, filled, sku)) {
                return sku;
            }
        }
        // A tiny catalogue: take the first SKU not yet in the order (there is one: an order has fewer lines).
        for (int s = 0; s < popularity.size(); s++) {
            if (!contains(inOrder, filled, s)) {
                return s;
            }
        }
        return sku;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static String price(int sku) {
        long cents = 85 + (sku * 7_919L) % 4_000;
        return (cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + (cents % 100);
    }

    /** Distinct SKUs, by popularity rank: ASIN-like codes, numbered articles in a colour, plain shop numbers. */
    static String[] skus(int n, SplittableRandom random) {
        String[] out = new String[n];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String s;
            do {
                s = switch (random.nextInt(3)) {
                    case 0 -> {
                        StringBuilder b = new StringBuilder("B0");
                        for (int c = 0; c < 8; c++) {
                            b.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
                        }
                        yield b.toString();
                    }
                    case 1 -> (1_000 + random.nextInt(9_000)) + "-" + COLOURS[random.nextInt(COLOURS.length)];
                    default -> (10_000 + random.nextInt(90_000)) + (random.nextBoolean() ? "" : "A");
                };
            } while (!seen.add(s));
            out[i] = s;
        }
        return out;
    }
}
