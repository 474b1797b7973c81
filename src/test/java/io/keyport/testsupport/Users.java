package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.UUID;

/**
 * People a test makes for itself through the admin API, so it never locks out, disables or changes
 * the demo users other classes sign in as.
 */
public final class Users {

  public static final String ADMIN = "admin@example.com";
  public static final String ADMIN_PASSWORD = "admin";

  private Users() {}

  /** A local user and the temporary password Keyport gave them, which signs them in. */
  public record Person(String username, String password) {}

  /** A local user {@code <prefix>-<random>@example.com} with one role, made by the demo admin. */
  public static Person create(Http http, String prefix, String role) {
    String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/admin/users",
            ADMIN,
            ADMIN_PASSWORD,
            "{\"username\":\""
                + username
                + "\",\"displayName\":\"Test "
                + prefix
                + "\",\"roles\":[\""
                + role
                + "\"]}");
    assertEquals(201, created.statusCode(), created.body());
    return new Person(username, Http.field(created.body(), "temporaryPassword"));
  }
}
