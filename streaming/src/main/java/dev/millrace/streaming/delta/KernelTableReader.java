package dev.millrace.streaming.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;

/** Reads a Delta table's current rows with Delta Kernel (tests, benchmarks, summaries): small tables only. */
public final class KernelTableReader {

    private final Engine engine;

    public KernelTableReader(Engine engine) {
        this.engine = engine;
    }

    /** The latest version, or -1 when there is no table. */
    public long version(String path) {
        try {
            return Table.forPath(engine, path).getLatestSnapshot(engine).getVersion();
        } catch (TableNotFoundException e) {
            return -1;
        }
    }

    /** Every row's values of the named columns (Kernel's physical values: timestamps in micros, dates in days). */
    public List<Object[]> read(String path, List<String> columns) {
        Snapshot snapshot;
        try {
            snapshot = Table.forPath(engine, path).getLatestSnapshot(engine);
        } catch (TableNotFoundException e) {
            return List.of();
        }
        StructType full = snapshot.getSchema();
        StructType readSchema = new StructType();
        for (String c : columns) {
            readSchema = readSchema.add(full.get(c));
        }
        Scan scan = snapshot.getScanBuilder().withReadSchema(readSchema).build();
        Row scanState = scan.getScanState(engine);
        StructType physical = ScanStateRow.getPhysicalDataReadSchema(scanState);
        List<Object[]> out = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
            while (files.hasNext()) {
                try (CloseableIterator<Row> fileRows = files.next().getRows()) {
                    while (fileRows.hasNext()) {
                        Row fileRow = fileRows.next();
                        FileStatus status = InternalScanFileUtils.getAddFileStatus(fileRow);
                        try (CloseableIterator<FileReadResult> data = engine.getParquetHandler()
                                .readParquetFiles(singletonCloseableIterator(status), physical, Optional.empty());
                             CloseableIterator<FilteredColumnarBatch> logical = Scan.transformPhysicalData(engine,
                                     scanState, fileRow, data.map(FileReadResult::getData))) {
                            while (logical.hasNext()) {
                                collect(logical.next(), columns.size(), out);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Delta table " + path, e);
        }
        return out;
    }

    private static void collect(FilteredColumnarBatch batch, int width, List<Object[]> out) {
        ColumnarBatch data = batch.getData();
        Optional<ColumnVector> selection = batch.getSelectionVector();
        for (int r = 0; r < data.getSize(); r++) {
            if (selection.isPresent() && (selection.get().isNullAt(r) || !selection.get().getBoolean(r))) {
                continue;
            }
            Object[] row = new Object[width];
            for (int c = 0; c < width; c++) {
                row[c] = value(data.getColumnVector(c), r);
            }
            out.add(row);
        }
    }

    private static Object value(ColumnVector v, int r) {
        if (v.isNullAt(r)) {
            return null;
        }
        DataType t = v.getDataType();
        if (t instanceof StringType) {
            return v.getString(r);
        } else if (t instanceof LongType || t instanceof TimestampType) {
            return v.getLong(r);
        } else if (t instanceof IntegerType || t instanceof DateType) {
            return v.getInt(r);
        } else if (t instanceof DoubleType) {
            return v.getDouble(r);
        } else if (t instanceof FloatType) {
            return v.getFloat(r);
        }
        throw new IllegalArgumentException("unsupported column type " + t);
    }
}
