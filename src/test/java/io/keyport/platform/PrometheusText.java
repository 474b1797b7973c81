package io.keyport.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that read
 * {@code /metrics}: every sample must belong to a family declared by {@code # TYPE} before it, no
 * series may repeat, label values must be properly quoted and escaped, and a histogram's buckets
 * must be cumulative and end in {@code +Inf} equal to its {@code _count}. Anything else is an
 * {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its name, its labels (sorted by name) and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** One metric family: its name, type, help text and samples, in the order written. */
  public record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = families;
  }

  /** The families by name. */
  public Map<String, Family> families() {
    return Collections.unmodifiableMap(families);
  }

  /** Every sample with this exact name (e.g. {@code x_total}, {@code x_bucket}). */
  public List<Sample> samples(String name) {
    List<Sample> found = new ArrayList<>();
    for (Family family : families.values()) {
      for (Sample sample : family.samples()) {
        if (sample.name().equals(name)) {
          found.add(sample);
        }
      }
    }
    return found;
  }

  /** The value of the sample with this name and exactly these labels, or 0 when there is none. */
  public double value(String name, Map<String, String> labels) {
    Map<String, String> sorted = new TreeMap<>(labels);
    for (Sample sample : samples(name)) {
      if (sample.labels().equals(sorted)) {
        return sample.value();
      }
    }
    return 0;
  }

  public static PrometheusText parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    Set<String> series = new HashSet<>();
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a line feed");
    }
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + " '" + line + "': ";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && parts[1].equals("HELP")) {
          requireName(parts[2], where);
          if (help.containsKey(parts[2])) {
            throw new IllegalArgumentException(where + "a second HELP for " + parts[2]);
          }
          help.put(parts[2], parts.length == 4 ? unescapeHelp(parts[3], where) : "");
        } else if (parts.length >= 3 && parts[1].equals("TYPE")) {
          if (parts.length != 4 || !TYPES.contains(parts[3])) {
            throw new IllegalArgumentException(where + "TYPE needs a name and a known type");
          }
          requireName(parts[2], where);
          if (families.containsKey(parts[2])) {
            throw new IllegalArgumentException(where + "a second TYPE for " + parts[2]);
          }
          families.put(
              parts[2], new Family(parts[2], parts[3], help.get(parts[2]), new ArrayList<>()));
        }
        continue; // any other comment
      }
      Sample sample = sample(line, where);
      Family family = familyOf(sample.name(), families);
      if (family == null) {
        throw new IllegalArgumentException(where + "no TYPE declared before " + sample.name());
      }
      if (!series.add(sample.name() + sample.labels())) {
        throw new IllegalArgumentException(where + "a repeated series");
      }
      family.samples().add(sample);
    }
    for (Family family : families.values()) {
      if (family.type().equals("histogram")) {
        checkHistogram(family);
      }
    }
    return new PrometheusText(families);
  }

  private static Family familyOf(String sample, Map<String, Family> families) {
    Family exact = families.get(sample);
    if (exact != null) {
      return exact;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count", "_total", "_created"}) {
      if (sample.endsWith(suffix)) {
        Family family = families.get(sample.substring(0, sample.length() - suffix.length()));
        if (family != null && allows(family.type(), suffix)) {
          return family;
        }
      }
    }
    return null;
  }

  private static boolean allows(String type, String suffix) {
    return switch (type) {
      case "counter" -> suffix.equals("_total") || suffix.equals("_created");
      case "histogram" -> !suffix.equals("_total");
      case "summary" ->
          suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
      default -> false;
    };
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    requireName(name, where);
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i >= line.length()) {
          throw new IllegalArgumentException(where + "unterminated label set");
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException(where + "a label without '='");
        }
        String label = line.substring(i, eq);
        if (!LABEL_NAME.matcher(label).matches()) {
          throw new IllegalArgumentException(where + "bad label name '" + label + "'");
        }
        i = eq + 1;
        if (i >= line.length() || line.charAt(i) != '"') {
          throw new IllegalArgumentException(where + "label value not quoted");
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= line.length()) {
            throw new IllegalArgumentException(where + "unterminated label value");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= line.length()) {
              throw new IllegalArgumentException(where + "dangling escape");
            }
            char e = line.charAt(i++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException(where + "label " + label + " given twice");
        }
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException(where + "no value");
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
    }
    double value = number(rest[0], where);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + "bad timestamp");
      }
    }
    return new Sample(name, labels, value);
  }

  private static double number(String text, String where) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (text.isEmpty()
            || text.contains("Infinity")
            || text.endsWith("d")
            || text.endsWith("f")) {
          throw new IllegalArgumentException(where + "bad value '" + text + "'");
        }
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + "bad value '" + text + "'");
        }
    }
  }

  private static void checkHistogram(Family family) {
    Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample sample : family.samples()) {
      if (sample.name().endsWith("_bucket")) {
        Map<String, String> rest = new TreeMap<>(sample.labels());
        if (rest.remove("le") == null) {
          throw new IllegalArgumentException(family.name() + ": a bucket without le");
        }
        buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(sample);
      } else if (sample.name().endsWith("_count")) {
        counts.put(sample.labels(), sample.value());
      }
    }
    for (Map.Entry<Map<String, String>, List<Sample>> series : buckets.entrySet()) {
      double bound = Double.NEGATIVE_INFINITY;
      double cumulative = 0;
      for (Sample bucket : series.getValue()) {
        double le = number(bucket.labels().get("le"), family.name() + ": ");
        if (!(le > bound) || bucket.value() < cumulative) {
          throw new IllegalArgumentException(
              family.name() + series.getKey() + ": buckets not increasing and cumulative");
        }
        bound = le;
        cumulative = bucket.value();
      }
      Double count = counts.get(series.getKey());
      if (bound != Double.POSITIVE_INFINITY || count == null || count != cumulative) {
        throw new IllegalArgumentException(
            family.name() + series.getKey() + ": no +Inf bucket equal to _count");
      }
    }
  }

  private static void requireName(String name, String where) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
    }
  }

  private static String unescapeHelp(String text, String where) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        if (++i >= text.length()) {
          throw new IllegalArgumentException(where + "dangling escape in HELP");
        }
        char e = text.charAt(i);
        switch (e) {
          case '\\' -> out.append('\\');
          case 'n' -> out.append('\n');
          default -> throw new IllegalArgumentException(where + "bad escape in HELP \\" + e);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
