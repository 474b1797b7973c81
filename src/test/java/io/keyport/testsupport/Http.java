package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A small HTTP client for the tests: the portal's REST API and the gateway check. */
public final class Http {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;

  public Http(URL base) {
    this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
  }

  public URI uri(String path) {
    return base.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
  }

  public static String basic(String username, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("Keyport did not answer " + request.build().uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A JSON call to the REST API as {@code username}; body null for none. */
  public HttpResponse<String> api(
      String method, String path, String username, String password, String body) {
    HttpRequest.Builder request =
        request(path)
            .header("Authorization", basic(username, password))
            .header("Accept", "application/json");
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return send(request);
  }

  /** The gateway check, with the key in the {@code api-key} header (null: no key). */
  public HttpResponse<String> check(String path, String key) {
    HttpRequest.Builder request = request("auth/check" + path).GET();
    if (key != null) {
      request.header("api-key", key);
    }
    return send(request);
  }

  /** A string member of a JSON object; fails, showing the JSON, when there is none. */
  public static String field(String json, String name) {
    JsonObject object = Json.createReader(new StringReader(json)).readObject();
    assertTrue(object.containsKey(name), json);
    return object.getString(name);
  }
}
