package io.keyport.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The API's error body, {@code {"error":"<word>","message":"<sentence>"}}, with {@code
 * "fields":{"<field>":"<sentence>"}} when the input was wrong in named fields.
 */
final class ErrorBody {

  private ErrorBody() {}

  static Response of(int status, String error, String message) {
    return of(status, error, message, java.util.Map.of());
  }

  static Response of(
      int status, String error, String message, java.util.Map<String, String> fields) {
    jakarta.json.JsonObjectBuilder body =
        jakarta.json.Json.createObjectBuilder().add("error", error).add("message", message);
    if (!fields.isEmpty()) {
      jakarta.json.JsonObjectBuilder named = jakarta.json.Json.createObjectBuilder();
      fields.forEach(named::add);
      body.add("fields", named);
    }
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body.build().toString())
        .build();
  }
}
