package io.keyport.web.admin;

import io.keyport.limits.RecentTraffic;
import io.keyport.web.Texts;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Chart.js configurations (for {@code p:chart}) of traffic, stacked by outcome. */
final class TrafficCharts {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final Map<String, String> COLOURS =
      Map.of(
          "admitted", "#3b82f6",
          "rate_limited", "#f59e0b",
          "quota_exceeded", "#ef4444",
          "route_not_allowed", "#8b5cf6",
          "invalid_api_key", "#9ca3af");

  /** One bar: when it starts and its counts by outcome. */
  record Bar(Instant start, Map<String, Long> counts) {}

  private TrafficCharts() {}

  static String stacked(List<Bar> bars) {
    JsonArrayBuilder labels = Json.createArrayBuilder();
    List<JsonArrayBuilder> series = new ArrayList<>();
    RecentTraffic.OUTCOMES.forEach(o -> series.add(Json.createArrayBuilder()));
    for (Bar bar : bars) {
      labels.add(TIME.format(bar.start()));
      for (int o = 0; o < RecentTraffic.OUTCOMES.size(); o++) {
        series.get(o).add(bar.counts().getOrDefault(RecentTraffic.OUTCOMES.get(o), 0L));
      }
    }
    JsonArrayBuilder datasets = Json.createArrayBuilder();
    for (int o = 0; o < RecentTraffic.OUTCOMES.size(); o++) {
      String outcome = RecentTraffic.OUTCOMES.get(o);
      datasets.add(
          Json.createObjectBuilder()
              .add("label", Texts.text("admin.dashboard.outcome." + outcome))
              .add("data", series.get(o))
              .add("backgroundColor", COLOURS.get(outcome)));
    }
    JsonObjectBuilder y =
        Json.createObjectBuilder()
            .add("stacked", true)
            .add("beginAtZero", true)
            .add("ticks", Json.createObjectBuilder().add("precision", 0));
    return Json.createObjectBuilder()
        .add("type", "bar")
        .add("data", Json.createObjectBuilder().add("labels", labels).add("datasets", datasets))
        .add(
            "options",
            Json.createObjectBuilder()
                .add("animation", false)
                .add("maintainAspectRatio", false)
                .add(
                    "plugins",
                    Json.createObjectBuilder()
                        .add("legend", Json.createObjectBuilder().add("position", "bottom")))
                .add(
                    "scales",
                    Json.createObjectBuilder()
                        .add("x", Json.createObjectBuilder().add("stacked", true))
                        .add("y", y)))
        .build()
        .toString();
  }
}
