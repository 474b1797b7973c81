package io.keyport.catalog;

import java.util.List;
import java.util.Map;

/**
 * An API product as an administrator submits it, before any check: the fields of SPEC §1, the
 * routes, the names of the plans it offers, the OpenAPI document (JSON or YAML text, or null), and
 * its metadata (key/value pairs; null for none).
 */
public record ProductDraft(
    String slug,
    String displayName,
    String description,
    String version,
    List<RouteDraft> routes,
    List<String> plans,
    String openapi,
    Map<String, String> metadata) {

  /** A route as submitted; {@code host} null or blank and {@code methods} empty match any. */
  public record RouteDraft(String host, String pathPrefix, List<String> methods) {}
}
