package io.keyport.web;

import io.keyport.limits.RecentTraffic;
import io.keyport.limits.UsageHistory;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Every chart of the portal, as Chart.js configurations for {@code p:chart}: stacked bars over
 * time, one series per outcome. A key's usage (its owner's page and the admin's) and the admin
 * dashboard's traffic are drawn by the same code, so they look and read alike.
 */
public final class Charts {

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final Map<String, String> OUTCOME_COLOURS =
      Map.of(
          "admitted", "#3b82f6",
          "rate_limited", "#f59e0b",
          "quota_exceeded", "#ef4444",
          "route_not_allowed", "#8b5cf6",
          "invalid_api_key", "#9ca3af");

  /** One bar of traffic: when it starts and its counts by outcome word. */
  public record Bar(Instant start, Map<String, Long> counts) {}

  private record Series<T>(String label, String colour, ToLongFunction<T> value) {}

  private Charts() {}

  /** A key's usage per hour: admitted and refused. */
  public static String hourlyUsage(List<UsageHistory.Period> periods) {
    return usage(periods, HOUR);
  }

  /** A key's usage per day: admitted and refused. */
  public static String dailyUsage(List<UsageHistory.Period> periods) {
    return usage(periods, DAY);
  }

  /** Traffic over time, stacked by every outcome the check counts. */
  public static String traffic(List<Bar> bars) {
    List<Series<Bar>> series =
        RecentTraffic.OUTCOMES.stream()
            .map(
                outcome ->
                    new Series<Bar>(
                        Wording.text("admin.dashboard.outcome." + outcome),
                        OUTCOME_COLOURS.get(outcome),
                        bar -> bar.counts().getOrDefault(outcome, 0L)))
            .toList();
    return stackedBars(bars, bar -> HOUR.format(bar.start()), series);
  }

  private static String usage(List<UsageHistory.Period> periods, DateTimeFormatter labels) {
    return stackedBars(
        periods,
        period -> labels.format(period.start()),
        List.of(
            new Series<UsageHistory.Period>(
                Wording.text("usage.admitted"), "#3b82f6", UsageHistory.Period::admitted),
            new Series<UsageHistory.Period>(
                Wording.text("usage.refused"), "#f59e0b", UsageHistory.Period::refused)));
  }

  private static <T> String stackedBars(
      List<T> bars, Function<T, String> label, List<Series<T>> series) {
    JsonArrayBuilder labels = Json.createArrayBuilder();
    bars.forEach(bar -> labels.add(label.apply(bar)));
    JsonArrayBuilder datasets = Json.createArrayBuilder();
    for (Series<T> one : series) {
      JsonArrayBuilder data = Json.createArrayBuilder();
      bars.forEach(bar -> data.add(one.value().applyAsLong(bar)));
      datasets.add(
          Json.createObjectBuilder()
              .add("label", one.label())
              .add("data", data)
              .add("backgroundColor", one.colour()));
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
