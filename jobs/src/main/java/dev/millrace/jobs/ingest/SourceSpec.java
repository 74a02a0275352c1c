package dev.millrace.jobs.ingest;

import dev.millrace.core.keys.KeyNormalisation;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.Map;

/**
 * One source of one entity, as a mapping file describes it: which files, how to read them, and which source column
 * feeds which silver field.
 *
 * @param entity          target entity
 * @param filesGlob       file name pattern under the source folder, e.g. {@code ratings*.csv}
 * @param format          how to read the files
 * @param charset         text charset (CSV, JSON)
 * @param delimiter       CSV delimiter
 * @param quote           CSV quote character
 * @param header          whether the first line of each CSV file names the columns
 * @param expectedColumns CSV column count when there is no header (0: only require the mapped positions)
 * @param columns         silver field name to source column
 * @param timeFormat      how event times are written
 * @param normalise       per id field (user_id, item_id, tmdb_id), the normalisation applied before the key rule;
 *                        an id field not listed is trimmed ({@link #DEFAULT_NORMALISATION})
 * @param duplicates      what rows with the same key in one batch become
 * @param negativeWeights what a negative weight becomes
 */
public record SourceSpec(Entity entity, String filesGlob, SourceFormat format, String charset, char delimiter,
                         char quote, boolean header, int expectedColumns, Map<String, ColumnRef> columns,
                         TimeFormat timeFormat, Map<String, KeyNormalisation> normalise, DuplicatePolicy duplicates,
                         NegativeWeights negativeWeights) implements Serializable {

    /** Surrounding blanks were trimmed before keys were strings; an id field without a normalisation still is. */
    public static final KeyNormalisation DEFAULT_NORMALISATION =
            new KeyNormalisation(java.util.List.of(KeyNormalisation.Step.TRIM));

    /** A source with today's defaults: ids trimmed, duplicates rejected, negative weights quarantined. */
    public SourceSpec(Entity entity, String filesGlob, SourceFormat format, String charset, char delimiter,
                      char quote, boolean header, int expectedColumns, Map<String, ColumnRef> columns,
                      TimeFormat timeFormat) {
        this(entity, filesGlob, format, charset, delimiter, quote, header, expectedColumns, columns, timeFormat,
                Map.of(), DuplicatePolicy.REJECT, NegativeWeights.QUARANTINE);
    }

    public SourceSpec {
        columns = Map.copyOf(columns);
        normalise = Map.copyOf(normalise);
        for (String field : normalise.keySet()) {
            int i = entity.indexOf(field);
            if (i < 0 || entity.fields().get(i).type() != FieldType.ID) {
                throw new IllegalArgumentException("normalise." + field + ": only id fields can be normalised; "
                        + entity.tableName() + " has " + entity.fields().stream()
                        .filter(f -> f.type() == FieldType.ID).map(Field::name).toList());
            }
            if (!columns.containsKey(field)) {
                throw new IllegalArgumentException("normalise." + field + ": field '" + field + "' is not mapped");
            }
        }
        if (duplicates == DuplicatePolicy.SUM) {
            if (entity != Entity.RATINGS || !columns.containsKey("weight") || columns.containsKey("rating")) {
                throw new IllegalArgumentException("duplicates = sum adds up weights: it needs a ratings source that "
                        + "maps 'weight' and not 'rating'");
            }
        }
        if (negativeWeights == NegativeWeights.KEEP && !columns.containsKey("weight")) {
            throw new IllegalArgumentException("negative-weights = keep needs a source that maps 'weight'");
        }
        Charset.forName(charset);
        for (String field : columns.keySet()) {
            if (entity.indexOf(field) < 0) {
                throw new IllegalArgumentException("source for " + entity.tableName() + " maps unknown field '"
                        + field + "'; fields are " + entity.fields().stream().map(Field::name).toList());
            }
        }
        for (Field f : entity.fields()) {
            if (f.required() && !columns.containsKey(f.name())) {
                throw new IllegalArgumentException("source for " + entity.tableName() + " does not map required field '"
                        + f.name() + "'");
            }
        }
        if (entity == Entity.RATINGS && !columns.containsKey("rating") && !columns.containsKey("weight")) {
            throw new IllegalArgumentException("source for ratings must map 'rating' or 'weight'");
        }
        if (format == SourceFormat.CSV && !header) {
            for (Map.Entry<String, ColumnRef> e : columns.entrySet()) {
                if (e.getValue().byName()) {
                    throw new IllegalArgumentException("source for " + entity.tableName() + " has no header, so field '"
                            + e.getKey() + "' must name a column position, not '" + e.getValue().name() + "'");
                }
            }
        }
        if (format != SourceFormat.CSV) {
            for (Map.Entry<String, ColumnRef> e : columns.entrySet()) {
                if (!e.getValue().byName()) {
                    throw new IllegalArgumentException(format + " sources map columns by name; field '" + e.getKey()
                            + "' has position " + e.getValue().position());
                }
            }
        }
    }

    /** The normalisation of an id field. */
    public KeyNormalisation normalisation(String field) {
        return normalise.getOrDefault(field, DEFAULT_NORMALISATION);
    }
}
