package io.keyport.api;

import io.keyport.platform.JsonErrors;
import io.keyport.platform.RequestRefused;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The API's error body, {@code {"error":"<word>","message":"<sentence>"}}; on the admin API, a
 * refusal that names input fields adds {@code "fields":{"<field>":"<what to fix>"}}.
 */
final class ErrorBody {

  private ErrorBody() {}

  static Response of(int status, String error, String message) {
    return respond(status, body(error, message));
  }

  static Response of(RequestRefused refusal, boolean withFields) {
    JsonObjectBuilder body = body(refusal.error(), refusal.getMessage());
    if (withFields && !refusal.fieldErrors().isEmpty()) {
      JsonObjectBuilder fields = Json.createObjectBuilder();
      refusal.fieldErrors().forEach(fields::add);
      body.add("fields", fields);
    }
    Response response = respond(refusal.reason().status(), body);
    return refusal.retryAfterSeconds() > 0
        ? Response.fromResponse(response).header("Retry-After", refusal.retryAfterSeconds()).build()
        : response;
  }

  private static JsonObjectBuilder body(String error, String message) {
    return JsonErrors.body(error, message);
  }

  private static Response respond(int status, JsonObjectBuilder body) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body.build().toString())
        .build();
  }
}
