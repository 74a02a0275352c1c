package dev.millrace.streaming.rerank;

import dev.millrace.streaming.flink.UserFeatures;

import java.util.List;

/**
 * The per-candidate values a streaming ranker can take, by name: the candidate's published score and rank (0 =
 * first), the user's window counts, and whether (1/0) and how recently (position among the last items, or -1) the
 * user touched the candidate. The configured list picks and orders them into the model's input vector.
 */
public final class CandidateInputs {

    public static final List<String> NAMES = List.of("published_score", "published_rank", "events_5m", "events_60m",
            "in_last_items", "last_items_position");

    private CandidateInputs() {
    }

    static void check(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown re-rank input '" + name + "', expected one of " + NAMES);
        }
    }

    /** Writes one candidate's vector at {@code out[offset..offset+inputs.size())}. */
    public static void fill(List<String> inputs, UserFeatures user, String item, double publishedScore, int rank,
                            float[] out, int offset) {
        int position = -1;
        for (int i = 0; i < user.lastItems.length; i++) {
            if (user.lastItems[i].equals(item)) {
                position = i;
                break;
            }
        }
        for (int j = 0; j < inputs.size(); j++) {
            out[offset + j] = switch (inputs.get(j)) {
                case "published_score" -> (float) publishedScore;
                case "published_rank" -> rank;
                case "events_5m" -> user.events5m;
                case "events_60m" -> user.events60m;
                case "in_last_items" -> position >= 0 ? 1f : 0f;
                case "last_items_position" -> position;
                default -> throw new IllegalArgumentException("unknown re-rank input " + inputs.get(j));
            };
        }
    }
}
