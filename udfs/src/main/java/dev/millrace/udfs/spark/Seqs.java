package dev.millrace.udfs.spark;

import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.util.Arrays;
import java.util.List;

/** Java lists to and from Scala's immutable {@code Seq}, which Catalyst's API takes and returns. */
final class Seqs {

    private Seqs() {
    }

    @SafeVarargs
    static <T> Seq<T> of(T... items) {
        return CollectionConverters.asScala(Arrays.asList(items)).toSeq();
    }

    static <T> Seq<T> from(List<T> items) {
        return CollectionConverters.asScala(items).toSeq();
    }

    static <T> List<T> toList(scala.collection.Seq<T> seq) {
        return CollectionConverters.asJava(seq);
    }
}
