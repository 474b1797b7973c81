package io.keyport.web;

import io.keyport.catalog.PlanView;
import io.keyport.keys.KeyStatus;
import io.keyport.keys.Rolling;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Named;
import java.text.MessageFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * How values are worded on the pages (limits, times, statuses) and every text of the one resource
 * bundle.
 */
@Named
@ApplicationScoped
public class Wording {

  private static final String BUNDLE = "io.keyport.web.messages";
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** "5 requests per minute", or "No rate limit". */
  public String limit(PlanView plan) {
    return limit(plan, locale());
  }

  static String limit(PlanView plan, Locale locale) {
    String rate =
        plan.limited()
            ? text(
                locale,
                "plan.limit",
                plan.requestsPerUnit(),
                text(locale, "unit." + plan.unit().name()))
            : text(locale, "plan.unlimited");
    return plan.monthlyQuota() == null
        ? rate
        : text(locale, "plan.quota", rate, plan.monthlyQuota());
  }

  /** Entries joined with commas, as in "GET, HEAD". */
  public String list(java.util.List<String> entries) {
    return String.join(", ", entries);
  }

  public String dateTime(Instant instant) {
    return instant == null ? "" : DATE_TIME.format(instant);
  }

  /** "Rolling: the previous value (kp_9fA2…) works until 2026-12-05 14:00 UTC." */
  public String rolling(Rolling rolling) {
    return rolling == null
        ? ""
        : text("key.rolling", rolling.previousHint(), dateTime(rolling.previousValidUntil()));
  }

  public String date(Instant instant) {
    return instant == null ? "" : DATE.format(instant);
  }

  /**
   * What a key works on: its product's name, or "All APIs on Gold" for a plan-wide key (no product,
   * SPEC §10).
   */
  public String reach(String productDisplayName, String planDisplayName) {
    return productDisplayName != null
        ? productDisplayName
        : text("key.reach.planWide", planDisplayName);
  }

  public String status(KeyStatus status) {
    return text("status." + status.name());
  }

  /** The bundle's text for {@code key} in the current view's language, {@code args} filled in. */
  public static String text(String key, Object... args) {
    return text(locale(), key, args);
  }

  static String text(Locale locale, String key, Object... args) {
    String pattern = ResourceBundle.getBundle(BUNDLE, locale).getString(key);
    return args.length == 0 ? pattern : new MessageFormat(pattern, locale).format(args);
  }

  private static Locale locale() {
    FacesContext faces = FacesContext.getCurrentInstance();
    return faces == null || faces.getViewRoot() == null
        ? Locale.ENGLISH
        : faces.getViewRoot().getLocale();
  }
}
