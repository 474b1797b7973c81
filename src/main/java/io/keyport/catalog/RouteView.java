package io.keyport.catalog;

/** A product route; {@code host} and {@code methods} null mean any. */
public record RouteView(String host, String pathPrefix, String methods)
    implements java.io.Serializable {

  /** The HTTP methods a route may name, in the order they are shown and stored. */
  public static final java.util.List<String> METHODS =
      java.util.List.of(
          "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
}
