package io.keyport.keys;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What a key may do within its product (SPEC §11 scopes): the HTTP methods and the path prefixes it
 * may use; an empty list does not narrow. A prefix matches whole segments: {@code /pets} admits
 * {@code /pets}, {@code /pets/} and {@code /pets/1}, never {@code /petsadmin}. The path given is
 * the check's normalised one (dot segments resolved, ambiguous spellings already refused).
 */
public record KeyScopes(List<String> methods, List<String> pathPrefixes) implements Serializable {

  public static final KeyScopes NONE = new KeyScopes(List.of(), List.of());

  public KeyScopes {
    // Nulls are kept as sent (KeyRules refuses them by name), so List.copyOf is not used.
    methods = methods == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(methods));
    pathPrefixes =
        pathPrefixes == null
            ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(pathPrefixes));
  }

  public boolean isEmpty() {
    return methods.isEmpty() && pathPrefixes.isEmpty();
  }

  /** Whether a request with this method and normalised path is within the scopes. */
  public boolean admits(String method, String path, boolean ignoreCase) {
    if (!methods.isEmpty()
        && (method == null || !methods.contains(method.toUpperCase(Locale.ROOT)))) {
      return false;
    }
    if (pathPrefixes.isEmpty()) {
      return true;
    }
    if (path == null) {
      return false;
    }
    String candidate = ignoreCase ? path.toLowerCase(Locale.ROOT) : path;
    for (String prefix : pathPrefixes) {
      if (underPrefix(candidate, ignoreCase ? prefix.toLowerCase(Locale.ROOT) : prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean underPrefix(String path, String prefix) {
    String bare = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (bare.isEmpty()) {
      return true; // "/": the whole product
    }
    return path.equals(bare) || (path.startsWith(bare) && path.charAt(bare.length()) == '/');
  }
}
