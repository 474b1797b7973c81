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

  /** A local user and the password they chose in place of Keyport's temporary one. */
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
    return new Person(
        username, ownPassword(http, username, Http.field(created.body(), "temporaryPassword")));
  }

  /**
   * The user replaces the temporary password with one of their own, as Keyport makes them do before
   * anything else works; the chosen password is returned.
   */
  public static String ownPassword(Http http, String username, String temporary) {
    String chosen = "own password " + temporary;
    HttpResponse<String> changed =
        http.api(
            "POST",
            "api/v1/me/password",
            username,
            temporary,
            "{\"currentPassword\":\"" + temporary + "\",\"newPassword\":\"" + chosen + "\"}");
    assertEquals(204, changed.statusCode(), changed.body());
    return chosen;
  }
}
