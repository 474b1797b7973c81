package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.LiveKey;
import io.keyport.platform.Metrics;
import io.keyport.platform.PrometheusText;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CheckMetricsTest {

  private static final String DECISIONS = "keyport_check_decisions_total";

  private static LiveKey key(String product, String plan) {
    return new LiveKey(UUID.randomUUID(), "someone@example.com", product, plan, null, Map.of());
  }

  private static Map<String, String> labels(
      String front, String outcome, String product, String plan) {
    return Map.of("front", front, "outcome", outcome, "product", product, "plan", plan);
  }

  @Test
  void countsEachDecisionUnderItsFrontOutcomeProductAndPlan() {
    Metrics metrics = Metrics.standalone();
    CheckMetrics check = CheckMetrics.of(metrics);
    long start = System.nanoTime();
    Verdict allowed = new Verdict(200, null, Map.of());
    for (int i = 0; i < 3; i++) {
      check.record(Front.SERVLET, allowed, key("petstore", "gold"), start);
    }
    check.record(Front.LISTENER, allowed, key("petstore", "gold"), start);
    check.record(
        Front.GRPC, new Verdict(429, "rate_limited", Map.of()), key("tracks", "silver"), start);
    check.record(Front.SERVLET, new Verdict(401, AuthCheck.MISSING, Map.of()), null, start);
    check.record(Front.SERVLET, new Verdict(401, "a word nobody knows", Map.of()), null, start);

    PrometheusText parsed = PrometheusText.parse(metrics.scrape());
    assertEquals(3.0, parsed.value(DECISIONS, labels("servlet", "allowed", "petstore", "gold")));
    assertEquals(1.0, parsed.value(DECISIONS, labels("listener", "allowed", "petstore", "gold")));
    assertEquals(1.0, parsed.value(DECISIONS, labels("grpc", "rate_limited", "tracks", "silver")));
    assertEquals(
        1.0, parsed.value(DECISIONS, labels("servlet", "missing_api_key", "none", "none")));
    assertEquals(1.0, parsed.value(DECISIONS, labels("servlet", "other", "none", "none")));
    assertEquals(
        5.0, parsed.value("keyport_check_latency_seconds_count", Map.of("front", "servlet")));
    assertEquals(1.0, parsed.value("keyport_check_latency_seconds_count", Map.of("front", "grpc")));
  }

  @Test
  void labelSetsStayBoundedHoweverManyProductsAndPlansKeysName() {
    Metrics metrics = Metrics.standalone();
    CheckMetrics check = CheckMetrics.of(metrics);
    Verdict allowed = new Verdict(200, null, Map.of());
    for (int i = 0; i < 10_000; i++) {
      check.record(
          Front.LISTENER,
          allowed,
          key("p-" + UUID.randomUUID(), "plan-" + UUID.randomUUID()),
          System.nanoTime());
    }
    Set<String> pairs = new HashSet<>();
    double counted = 0;
    for (PrometheusText.Sample sample : PrometheusText.parse(metrics.scrape()).samples(DECISIONS)) {
      pairs.add(sample.labels().get("product") + "/" + sample.labels().get("plan"));
      counted += sample.value();
    }
    // none/none, other/other and at most MAX_PRODUCT_PLANS pairs of the front's own
    assertTrue(
        pairs.size() <= CheckMetrics.MAX_PRODUCT_PLANS + 2, pairs.size() + " product/plan pairs");
    assertTrue(pairs.contains("other/other"));
    assertEquals(10_000.0, counted, "every decision is still counted");
  }

  @Test
  void recordsNothingWhenMetricsAreOff() {
    Metrics metrics = Metrics.standalone(false);
    CheckMetrics check = CheckMetrics.of(metrics);
    check.record(Front.SERVLET, new Verdict(200, null, Map.of()), key("a", "b"), System.nanoTime());
    PrometheusText parsed = PrometheusText.parse(metrics.scrape());
    assertEquals(0.0, parsed.value(DECISIONS, labels("servlet", "allowed", "a", "b")));
    assertEquals(
        0.0, parsed.value("keyport_check_latency_seconds_count", Map.of("front", "servlet")));
  }
}
