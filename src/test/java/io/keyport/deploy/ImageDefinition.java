package io.keyport.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the image and the manifests must agree on, read from the files that define it: the image's
 * environment ({@code deploy/image/environment}, which build-image.sh writes into the image) and
 * the environment names docs/configuration.md documents.
 */
final class ImageDefinition {

  static final Path PROJECT = Path.of(System.getProperty("user.dir"));
  static final String LIVENESS = "/health/live";
  static final String READINESS = "/health/ready";
  static final String METRICS = "/metrics";
  static final int APP_UID = 10001;

  private static final Pattern CONFIG_KEY = Pattern.compile("`(keyport\\.[a-z0-9.-]+)`");
  private static final Pattern ENV_NAME = Pattern.compile("`(KEYPORT_[A-Z0-9_]+|_[A-Z0-9_]+)`");

  private ImageDefinition() {}

  /** {@code deploy/image/environment}, in its order. */
  static Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : lines(PROJECT.resolve("deploy/image/environment"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      env.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return env;
  }

  /** The port a {@code KEYPORT_*_PORT} variable of the image gives. */
  static int port(String name) {
    String value = environment().get(name);
    if (value == null) {
      throw new AssertionError("deploy/image/environment sets no " + name);
    }
    return Integer.parseInt(value);
  }

  /** The ports the image exposes: the values of its {@code KEYPORT_*_PORT} variables. */
  static Set<Integer> ports() {
    Set<Integer> ports = new TreeSet<>();
    environment()
        .forEach(
            (name, value) -> {
              if (name.startsWith("KEYPORT_") && name.endsWith("_PORT")) {
                ports.add(Integer.parseInt(value));
              }
            });
    return ports;
  }

  /**
   * Every {@code KEYPORT_*} name docs/configuration.md documents: the env column (where {@code
   * `_KEY`} after {@code `KEYPORT_X_CERT`} names {@code KEYPORT_X_KEY}), the launcher's tables, and
   * every {@code keyport.*} key as MicroProfile Config maps it to the environment.
   */
  static Set<String> documentedEnvironment() {
    String doc = read(PROJECT.resolve("docs/configuration.md"));
    Set<String> names = new TreeSet<>();
    Matcher key = CONFIG_KEY.matcher(doc);
    while (key.find()) {
      names.add(key.group(1).toUpperCase().replace('.', '_').replace('-', '_'));
    }
    for (String line : doc.split("\n")) {
      Matcher env = ENV_NAME.matcher(line);
      String last = null;
      while (env.find()) {
        String name = env.group(1);
        if (name.startsWith("_")) {
          if (last == null) {
            continue;
          }
          name = last.substring(0, last.lastIndexOf('_')) + name;
        } else {
          last = name;
        }
        names.add(name);
      }
    }
    return names;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String[] lines(Path file) {
    return read(file).split("\n");
  }
}
