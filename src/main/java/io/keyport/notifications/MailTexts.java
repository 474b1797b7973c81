package io.keyport.notifications;

import java.text.MessageFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * The e-mail an event sends its subject, worded by the portal's one resource bundle ({@code
 * mail.<event type>.subject} and {@code .body}, {@code mail.html} around the HTML part), from the
 * event's stored data: a key's name, hint, product, plan and times, never its value.
 */
final class MailTexts {

  private static final String BUNDLE = "io.keyport.web.messages";
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  /** One mail: its subject, the plain text and the same as HTML. */
  record Mail(String subject, String text, String html) {}

  private MailTexts() {}

  static Mail of(String type, Map<String, Object> data) {
    Locale locale = Locale.ENGLISH;
    ResourceBundle bundle = ResourceBundle.getBundle(BUNDLE, locale);
    Object[] args = arguments(type, data, bundle.getString("mail.planWideProduct"));
    String subject = format(bundle.getString("mail." + type + ".subject"), args, locale);
    String text = format(bundle.getString("mail." + type + ".body"), args, locale);
    String footer = bundle.getString("mail.footer");
    StringBuilder paragraphs = new StringBuilder();
    for (String paragraph : (text + "\n\n" + footer).split("\n\n")) {
      paragraphs.append("<p>").append(escape(paragraph).replace("\n", "<br>")).append("</p>\n");
    }
    String html =
        bundle
            .getString("mail.html")
            .replace("{title}", escape(subject))
            .replace("{body}", paragraphs.toString());
    return new Mail(subject, text + "\n\n" + footer + "\n", html);
  }

  private static Object[] arguments(String type, Map<String, Object> data, String planWide) {
    if (type.startsWith("quota.")) {
      return new Object[] {
        product(data, planWide),
        text(data, "usagePlan"),
        text(data, "threshold"),
        text(data, "used"),
        text(data, "quota"),
        text(data, "month")
      };
    }
    return new Object[] {
      text(data, "name"),
      text(data, "hint"),
      product(data, planWide),
      text(data, "usagePlan"),
      when(data.get("expiresAt")),
      text(data, "reason")
    };
  }

  /** The key's product, or for a plan-wide key (none, SPEC §10) {@code planWide}. */
  private static String product(Map<String, Object> data, String planWide) {
    String product = text(data, "apiProduct");
    return product.isEmpty() || product.equals("null") ? planWide : product;
  }

  private static String text(Map<String, Object> data, String name) {
    Object value = data.get(name);
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      return Long.toString(number.longValue());
    }
    return value == null ? "" : value.toString();
  }

  private static String when(Object value) {
    if (value == null) {
      return "";
    }
    try {
      return WHEN.format(Instant.parse(value.toString()));
    } catch (DateTimeParseException e) {
      return value.toString();
    }
  }

  private static String format(String pattern, Object[] args, Locale locale) {
    return new MessageFormat(pattern, locale).format(args);
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '&' -> escaped.append("&amp;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
