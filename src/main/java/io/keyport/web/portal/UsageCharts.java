package io.keyport.web.portal;

import io.keyport.limits.UsageHistory;
import io.keyport.web.Texts;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Chart.js configurations (for {@code p:chart}) of a key's usage: admitted and refused bars. */
public final class UsageCharts {

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private UsageCharts() {}

  public static String hourly(List<UsageHistory.Period> periods) {
    return chart(periods, HOUR);
  }

  public static String daily(List<UsageHistory.Period> periods) {
    return chart(periods, DAY);
  }

  private static String chart(List<UsageHistory.Period> periods, DateTimeFormatter labels) {
    JsonArrayBuilder names = Json.createArrayBuilder();
    JsonArrayBuilder admitted = Json.createArrayBuilder();
    JsonArrayBuilder refused = Json.createArrayBuilder();
    for (UsageHistory.Period period : periods) {
      names.add(labels.format(period.start()));
      admitted.add(period.admitted());
      refused.add(period.refused());
    }
    JsonObjectBuilder stacked =
        Json.createObjectBuilder().add("stacked", true).add("beginAtZero", true);
    return Json.createObjectBuilder()
        .add("type", "bar")
        .add(
            "data",
            Json.createObjectBuilder()
                .add("labels", names)
                .add(
                    "datasets",
                    Json.createArrayBuilder()
                        .add(dataset(Texts.text("usage.admitted"), admitted, "#3b82f6"))
                        .add(dataset(Texts.text("usage.refused"), refused, "#f59e0b"))))
        .add(
            "options",
            Json.createObjectBuilder()
                .add("animation", false)
                .add("maintainAspectRatio", false)
                .add(
                    "scales",
                    Json.createObjectBuilder()
                        .add("x", Json.createObjectBuilder().add("stacked", true))
                        .add("y", stacked)))
        .build()
        .toString();
  }

  private static JsonObjectBuilder dataset(String label, JsonArrayBuilder data, String colour) {
    return Json.createObjectBuilder()
        .add("label", label)
        .add("data", data)
        .add("backgroundColor", colour);
  }
}
