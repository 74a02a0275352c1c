package dev.millrace.jobs.ingest;

import java.io.Serializable;

/** A source file as listed: its identity for the ingest ledger is path, size and modification time together. */
public record SourceFile(String path, long size, long modifiedAt) implements Serializable {
}
