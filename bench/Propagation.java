import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Revocation propagation between two Keyport nodes: creates N keys on node A, makes node B cache
 * each one, then deletes them one by one on A and polls B's check until it refuses the key. Prints
 * p50, p99 and max of the time from A's 204 to B's first 401.
 *
 * <p>java bench/Propagation.java http://127.0.0.1:A http://127.0.0.1:B [count]
 */
public class Propagation {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String AUTH =
      "Basic "
          + Base64.getEncoder().encodeToString("dev@example.com:dev".getBytes(StandardCharsets.UTF_8));
  private static final Pattern FIELD = Pattern.compile("\"(id|apiKey)\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String a = args[0];
    String b = args[1];
    int count = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    List<String[]> keys = new ArrayList<>();
    String run = Long.toString(System.currentTimeMillis(), 36);
    for (int i = 0; i < count; i++) {
      HttpResponse<String> created =
          send(
              HttpRequest.newBuilder(URI.create(a + "/api/v1/api-keys"))
                  .header("Authorization", AUTH)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"apiKeyName\":\"propagation-" + run + "-" + i
                              + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"unlimited\"}")));
      if (created.statusCode() != 201) {
        throw new IllegalStateException("create: " + created.statusCode() + " " + created.body());
      }
      String id = null;
      String key = null;
      Matcher field = FIELD.matcher(created.body());
      while (field.find()) {
        if (field.group(1).equals("id")) {
          id = field.group(2);
        } else {
          key = field.group(2);
        }
      }
      keys.add(new String[] {id, key});
      if (check(b, key) != 200) {
        throw new IllegalStateException("node B does not admit a new key");
      }
    }
    List<Long> micros = new ArrayList<>();
    for (String[] key : keys) {
      HttpResponse<String> deleted =
          send(
              HttpRequest.newBuilder(URI.create(a + "/api/v1/api-keys/" + key[0]))
                  .header("Authorization", AUTH)
                  .DELETE());
      long start = System.nanoTime();
      if (deleted.statusCode() != 204) {
        throw new IllegalStateException("delete: " + deleted.statusCode());
      }
      long deadline = start + Duration.ofSeconds(30).toNanos();
      while (check(b, key[1]) != 401) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("node B still admits a deleted key after 30 s");
        }
      }
      micros.add((System.nanoTime() - start) / 1_000);
    }
    Collections.sort(micros);
    System.out.printf(
        "revocations: %d  p50: %.1f ms  p99: %.1f ms  max: %.1f ms  (targets: p50 < 100 ms %s,"
            + " p99 < 1000 ms %s)%n",
        micros.size(),
        percentile(micros, 50) / 1000.0,
        percentile(micros, 99) / 1000.0,
        micros.get(micros.size() - 1) / 1000.0,
        percentile(micros, 50) < 100_000 ? "PASS" : "MISS",
        percentile(micros, 99) < 1_000_000 ? "PASS" : "MISS");
  }

  private static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static int check(String node, String key) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(node + "/auth/check/petstore/pets")).header("api-key", key).GET())
        .statusCode();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
