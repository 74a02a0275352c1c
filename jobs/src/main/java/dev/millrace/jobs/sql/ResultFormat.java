package dev.millrace.jobs.sql;

/** How {@code sql} prints a result. */
public enum ResultFormat {
    TABLE, CSV, JSON
}
