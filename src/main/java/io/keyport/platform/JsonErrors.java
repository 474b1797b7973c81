package io.keyport.platform;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The one JSON error of the portal's API, {@code {"error":"<word>","message":"<sentence>"}}: built
 * here for every writer, and written here for the servlets and filters that answer before JAX-RS
 * (the sign-in mechanism, the password-change gate, the API's request rules, the error pages).
 */
public final class JsonErrors {

  private JsonErrors() {}

  /** The body, for a writer that adds to it (the admin API's {@code "fields"}). */
  public static JsonObjectBuilder body(String error, String message) {
    return Json.createObjectBuilder().add("error", error).add("message", message);
  }

  /** Answers {@code status} with the body. */
  public static void write(HttpServletResponse response, int status, String error, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(body(error, message).build().toString());
  }
}
