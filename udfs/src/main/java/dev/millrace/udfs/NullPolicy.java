package dev.millrace.udfs;

/**
 * What to do with a row whose feature vector is null, contains a null element or a NaN. Such rows never reach
 * native code: either their prediction columns are null, or the task fails with a message naming the column.
 */
public enum NullPolicy {
    /** The row is kept and its prediction columns are null. */
    NULL_PREDICTION,
    /** The task fails with an error naming the column and the row's position in its partition. */
    FAIL
}
