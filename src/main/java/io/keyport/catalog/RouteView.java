package io.keyport.catalog;

/** A product route; {@code host} and {@code methods} null mean any. */
public record RouteView(String host, String pathPrefix, String methods)
    implements java.io.Serializable {}
