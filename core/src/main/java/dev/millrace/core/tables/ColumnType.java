package dev.millrace.core.tables;

/** The engine-neutral column types of the tables one module writes and another reads; each engine maps them once. */
public enum ColumnType {
    STRING, INT, LONG, FLOAT, DOUBLE, TIMESTAMP, DATE
}
