package io.keyport.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String GOOD =
      """
      # HELP requests_total Requests \\\\ served\\nso far
      # TYPE requests_total counter
      requests_total{code="200",path="/a \\"b\\"\\\\c\\nd"} 3.0
      requests_total{code="500"} 1 1700000000000
      # TYPE temperature gauge
      temperature NaN
      # TYPE latency_seconds histogram
      latency_seconds_bucket{front="x",le="0.1"} 1
      latency_seconds_bucket{front="x",le="1.0"} 4
      latency_seconds_bucket{front="x",le="+Inf"} 5
      latency_seconds_count{front="x"} 5
      latency_seconds_sum{front="x"} 2.5
      """;

  @Test
  void readsFamiliesLabelsEscapesAndValues() {
    PrometheusText parsed = PrometheusText.parse(GOOD);
    assertEquals("counter", parsed.families().get("requests_total").type());
    assertEquals("Requests \\ served\nso far", parsed.families().get("requests_total").help());
    assertEquals(
        3.0, parsed.value("requests_total", Map.of("code", "200", "path", "/a \"b\"\\c\nd")));
    assertEquals(1.0, parsed.value("requests_total", Map.of("code", "500")));
    assertTrue(Double.isNaN(parsed.value("temperature", Map.of())));
    assertEquals(5.0, parsed.value("latency_seconds_count", Map.of("front", "x")));
    assertEquals(3, parsed.samples("latency_seconds_bucket").size());
    assertEquals(0.0, parsed.value("requests_total", Map.of("code", "404")));
  }

  @Test
  void refusesWhatTheFormatDoesNotAllow() {
    String[] bad = {
      "requests_total 1\n", // no TYPE before it
      "# TYPE a counter\na_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n", // repeated series
      "# TYPE a counter\na_total{x=1} 1\n", // unquoted value
      "# TYPE a counter\na_total{x=\"\\t\"} 1\n", // unknown escape
      "# TYPE a counter\na_total{x=\"1\"}\n", // no value
      "# TYPE a counter\na_total{x=\"1\" 1\n", // unterminated labels
      "# TYPE a counter\na_total one\n", // not a number
      "# TYPE a counter\na_total 1", // no final line feed
      "# TYPE a gauge\n# TYPE a gauge\na 1\n", // second TYPE
      "# TYPE a widget\na 1\n", // unknown type
      "# TYPE 1a gauge\n", // bad name
      "# TYPE a gauge\na_total 1\n", // a gauge has no _total
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n", // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n", // +Inf != count
    };
    for (String text : bad) {
      assertThrows(
          IllegalArgumentException.class, () -> PrometheusText.parse(text), "accepted: " + text);
    }
  }

  @Test
  void readsWhatKeyportsRegistryWrites() {
    Metrics metrics = Metrics.standalone();
    metrics.passwordSignInFailed();
    metrics.passwordSignInFailed();
    PrometheusText parsed = PrometheusText.parse(metrics.scrape());
    assertEquals(2.0, parsed.value("keyport_signin_failures_total", Map.of("method", "password")));
    assertEquals(0.0, parsed.value("keyport_signin_failures_total", Map.of("method", "oidc")));
    assertTrue(parsed.families().containsKey("jvm_memory_used_bytes"));
  }
}
