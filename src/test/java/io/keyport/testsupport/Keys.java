package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.UUID;

/** Keys a test makes for itself through the REST API, each with a unique name. */
public final class Keys {

  public static final String DEV = "dev@example.com";
  public static final String DEV_PASSWORD = "dev";

  private Keys() {}

  /** A key as {@code POST /api/v1/api-keys} made it: its id, name and the value shown once. */
  public record Created(String id, String name, String value) {}

  /** A key of the demo developer's, named {@code <prefix>-<random>}. */
  public static Created create(Http http, String prefix, String product, String plan) {
    return create(http, DEV, DEV_PASSWORD, prefix, product, plan);
  }

  /** A key of {@code username}'s, named {@code <prefix>-<random>}; fails unless it is made. */
  public static Created create(
      Http http, String username, String password, String prefix, String product, String plan) {
    String name = prefix + "-" + UUID.randomUUID();
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            username,
            password,
            "{\"apiKeyName\":\""
                + name
                + "\",\"apiProduct\":\""
                + product
                + "\",\"usagePlan\":\""
                + plan
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    return new Created(
        Http.field(created.body(), "id"), name, Http.field(created.body(), "apiKey"));
  }
}
