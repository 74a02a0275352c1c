/**
 * The streaming event contract shared by the Flink and Spark Structured Streaming jobs: the JSON event schema
 * ({@link dev.millrace.core.events.Event}), its validation ({@link dev.millrace.core.events.EventValidator}) and the
 * dead-letter record ({@link dev.millrace.core.events.DlqRecord}). Pure Java (Jackson only), so both engines use it.
 */
package dev.millrace.core.events;
