package io.keyport.web;

import io.keyport.catalog.PlanView;
import io.keyport.keys.KeyStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Named;
import java.text.MessageFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.ResourceBundle;

/** Words for values, from the one resource bundle: limits, times, statuses. */
@Named
@ApplicationScoped
public class Texts {

  private static final String BUNDLE = "io.keyport.web.messages";
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** "5 requests per minute", or "No rate limit". */
  public String limit(PlanView plan) {
    if (!plan.limited()) {
      return text("plan.unlimited");
    }
    return text("plan.limit", plan.requestsPerUnit(), text("unit." + plan.unit().name()));
  }

  public String dateTime(Instant instant) {
    return instant == null ? "" : DATE_TIME.format(instant);
  }

  public String date(Instant instant) {
    return instant == null ? "" : DATE.format(instant);
  }

  public String status(KeyStatus status) {
    return text("status." + status.name());
  }

  /** The bundle's text for {@code key}, with {@code args} filled in. */
  public static String text(String key, Object... args) {
    FacesContext faces = FacesContext.getCurrentInstance();
    Locale locale = faces == null ? Locale.ENGLISH : faces.getViewRoot().getLocale();
    String pattern = ResourceBundle.getBundle(BUNDLE, locale).getString(key);
    return args.length == 0 ? pattern : new MessageFormat(pattern, locale).format(args);
  }
}
