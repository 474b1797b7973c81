package io.keyport.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The API's error body, {@code {"error":"<word>","message":"<sentence>"}}. */
final class ErrorBody {

  private ErrorBody() {}

  static Response of(int status, String error, String message) {
    String body =
        jakarta.json.Json.createObjectBuilder()
            .add("error", error)
            .add("message", message)
            .build()
            .toString();
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }
}
