package dev.millrace.jobs.ingest;

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
 */
public record SourceSpec(Entity entity, String filesGlob, SourceFormat format, String charset, char delimiter,
                         char quote, boolean header, int expectedColumns, Map<String, ColumnRef> columns,
                         TimeFormat timeFormat) implements Serializable {

    public SourceSpec {
        columns = Map.copyOf(columns);
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
}
