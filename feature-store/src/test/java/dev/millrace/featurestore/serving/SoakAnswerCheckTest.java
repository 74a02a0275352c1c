package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.RecommendationRecord;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak's answer checks, on answers built with the server's own JSON writers: good answers pass, and every kind of
 * bad answer the soak looks for is caught (so the soak's zero counts mean something). Runs in the default test run,
 * in milliseconds; the soak itself is tagged {@code soak}.
 */
class SoakAnswerCheckTest {

    private static final String JSON = "application/json";
    private static final SoakRequest KNOWN = new SoakRequest(SoakRequest.Kind.RECS_KNOWN, "GET",
            "/v1/recommendations/7?k=3", "7", 3, 200, "");
    private static final SoakRequest ALTERNATING = new SoakRequest(SoakRequest.Kind.RECS_ALTERNATING, "GET",
            "/v1/recommendations/alt-2", "alt-2", 0, 200, "");
    private static final SoakRequest FEATURES = new SoakRequest(SoakRequest.Kind.FEATURES_USER, "GET",
            "/v1/features/user/7", "7", 0, 200, "");
    private static final SoakRequest BAD_K = new SoakRequest(SoakRequest.Kind.BAD_K, "GET",
            "/v1/recommendations/7?k=0", "", 0, 400, "bad_request");

    private static String recs(String user, long version, boolean fallback, RecommendationRecord record, int k) {
        return new RecommendationAnswer(user, version, fallback, record, k).toJson();
    }

    private static RecommendationRecord list(long version, String owner) {
        return SoakPopulation.list(version, owner, SoakPopulation.modelVersion(version), SoakPopulation.LIST);
    }

    private static Optional<SoakAnswerCheck.Problem> problem(SoakRequest r, int status, String type, String body,
                                                             long floor, long ceiling) {
        return SoakAnswerCheck.check(r, status, type, body, floor, ceiling).finding().map(SoakAnswerCheck.Finding::problem);
    }

    @Test
    void goodAnswersPassAndNameTheirVersion() {
        String body = recs("7", 5, false, list(5, "7"), 3);
        SoakAnswerCheck.Result r = SoakAnswerCheck.check(KNOWN, 200, JSON, body, 5, 6);
        assertThat(r.finding()).isEmpty();
        assertThat(r.version()).isEqualTo(5);
        // Odd versions hold no list for the alternating users: the popularity fallback, with the default k.
        RecommendationRecord popular = SoakPopulation.list(5, SoakPopulation.POPULAR_OWNER,
                SoakPopulation.POPULARITY_MODEL, SoakPopulation.POPULAR);
        assertThat(problem(ALTERNATING, 200, JSON, recs("alt-2", 5, true, popular, 10), 5, 5)).isEmpty();
        String features = new FeatureAnswer("user", "7", 5, "published",
                SoakPopulation.featureRow("user_id", "7", 5)).toJson();
        assertThat(problem(FEATURES, 200, JSON, features, 4, 5)).isEmpty();
        assertThat(problem(BAD_K, 400, JSON, Json.error("bad_request", "k must be from 1 to 50"), 5, 5)).isEmpty();
    }

    @Test
    void anAnswerMixingTwoVersionsIsCaught() {
        RecommendationRecord five = list(5, "7");
        RecommendationRecord mixed = new RecommendationRecord(five.modelVersion(), five.runId(), five.generatedAt(),
                new String[] {five.itemIds()[0], SoakPopulation.itemId(4, "7", 1), five.itemIds()[2]},
                new double[] {five.scores()[0], five.scores()[1], five.scores()[2]});
        assertThat(problem(KNOWN, 200, JSON, recs("7", 5, false, mixed, 3), 5, 5))
                .contains(SoakAnswerCheck.Problem.MIXED_VERSIONS);
        // The version field disagreeing with the content is a mix too.
        assertThat(problem(KNOWN, 200, JSON, recs("7", 6, false, five, 3), 5, 6))
                .contains(SoakAnswerCheck.Problem.MIXED_VERSIONS);
        String features = new FeatureAnswer("user", "7", 6, "published",
                SoakPopulation.featureRow("user_id", "7", 5)).toJson();
        assertThat(problem(FEATURES, 200, JSON, features, 5, 6)).contains(SoakAnswerCheck.Problem.MIXED_VERSIONS);
    }

    @Test
    void aVersionOutsideTheRequestsWindowIsCaught() {
        // Older than a flip that returned before the request was sent, or newer than any version announced.
        assertThat(problem(KNOWN, 200, JSON, recs("7", 4, false, list(4, "7"), 3), 5, 6))
                .contains(SoakAnswerCheck.Problem.VERSION_OUT_OF_WINDOW);
        assertThat(problem(KNOWN, 200, JSON, recs("7", 7, false, list(7, "7"), 3), 5, 6))
                .contains(SoakAnswerCheck.Problem.VERSION_OUT_OF_WINDOW);
    }

    @Test
    void wrongContentStatusesAndBodiesAreCaught() {
        // An even version holds the alternating users' lists: a fallback there is wrong.
        RecommendationRecord popular = SoakPopulation.list(6, SoakPopulation.POPULAR_OWNER,
                SoakPopulation.POPULARITY_MODEL, SoakPopulation.POPULAR);
        assertThat(problem(ALTERNATING, 200, JSON, recs("alt-2", 6, true, popular, 10), 6, 6))
                .contains(SoakAnswerCheck.Problem.WRONG_ANSWER);
        // Fewer items than k asked for, another user's list.
        assertThat(problem(KNOWN, 200, JSON, recs("7", 5, false, list(5, "7"), 2), 5, 5))
                .contains(SoakAnswerCheck.Problem.WRONG_ANSWER);
        assertThat(problem(KNOWN, 200, JSON, recs("7", 5, false, list(5, "8"), 3), 5, 5))
                .contains(SoakAnswerCheck.Problem.WRONG_ANSWER);
        assertThat(problem(BAD_K, 404, JSON, Json.error("not_found", "x"), 5, 5))
                .contains(SoakAnswerCheck.Problem.WRONG_ANSWER);
        assertThat(problem(BAD_K, 400, JSON, Json.error("not_found", "x"), 5, 5))
                .contains(SoakAnswerCheck.Problem.WRONG_ANSWER);
        assertThat(problem(BAD_K, 500, JSON, Json.error("internal", "internal error"), 5, 5))
                .contains(SoakAnswerCheck.Problem.SERVER_ERROR);
        assertThat(problem(BAD_K, 400, "text/html", "<html>Bad Request</html>", 5, 5))
                .contains(SoakAnswerCheck.Problem.NOT_JSON);
        assertThat(problem(BAD_K, 400, JSON, "", 5, 5)).contains(SoakAnswerCheck.Problem.NOT_JSON);
        assertThat(problem(BAD_K, 400, JSON, Json.error("bad_request", "x") + "}", 5, 5))
                .contains(SoakAnswerCheck.Problem.NOT_JSON);
    }
}
