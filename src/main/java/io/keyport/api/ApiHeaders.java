package io.keyport.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;

/**
 * The REST API's own part of {@code platform/SecurityHeaders} and {@link ApiRequestRules}, applied
 * by JAX-RS itself, so every answer a resource gives carries them: no {@code ;} path parameters
 * (400), and {@code Content-Security-Policy: default-src 'none'; frame-ancestors 'none'}, {@code
 * Cache-Control: no-store}, {@code X-Content-Type-Options: nosniff} on every answer.
 */
@Provider
@PreMatching
public class ApiHeaders implements ContainerRequestFilter, ContainerResponseFilter {

  @Override
  public void filter(ContainerRequestContext request) {
    String raw = request.getUriInfo().getRequestUri().getRawPath();
    if (raw.indexOf(';') >= 0 || raw.toLowerCase(Locale.ROOT).contains("%3b")) {
      request.abortWith(
          ErrorBody.of(
              400,
              "invalid_path",
              "Keyport's API takes no ';' in a path (no path parameters). Send the path without"
                  + " it."));
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.putSingle("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    headers.putSingle("Cache-Control", "no-store");
    headers.putSingle("X-Content-Type-Options", "nosniff");
    headers.putSingle("Referrer-Policy", "same-origin");
    headers.putSingle("X-Frame-Options", "DENY");
  }
}
