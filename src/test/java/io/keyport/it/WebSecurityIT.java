package io.keyport.it;

import static io.keyport.it.TestDatabase.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The attacks of issue 12 items 3, 7 and 8 against a running Keyport: password guessing (throttled,
 * audited, and never starving the gateway check), Basic credentials outside the API, ';' path
 * parameters, the admin API for a developer, cross-site requests riding on the session cookie, and
 * the security headers of every page and of the API. Every user here is the test's own; the demo
 * admin and developer only sign in with their right passwords.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(value = Locks.SIGN_IN, mode = ResourceAccessMode.READ_WRITE)
class WebSecurityIT {

  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";
  private static final String DEV = "dev@example.com";
  private static final String DEV_PASSWORD = "dev";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VIEW_STATE =
      Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");

  @Shared static KeyportServer node;

  @Shared URL base;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(base);
  }

  // --- item 3: password guessing and CPU starvation -------------------------------------------

  @Test
  void aFloodOfWrongPasswordsIsThrottledAndAuditedWhileTheCheckKeepsAnswering() throws Exception {
    String[] user = createUser("developer");
    String username = user[0];
    AtomicBoolean flooding = new AtomicBoolean(true);
    Map<Integer, AtomicInteger> floodAnswers = new ConcurrentHashMap<>();
    List<String> retryAfters = new ArrayList<>();
    AtomicInteger checkAnswers = new AtomicInteger();
    AtomicInteger listenerAnswers = new AtomicInteger();
    List<String> checkProblems = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      Future<?> checks =
          pool.submit(
              () -> {
                Http listener = new Http(url("http://127.0.0.1:" + node.checkPort() + "/"));
                while (flooding.get()) {
                  record(http.check("/petstore/pets", null), checkAnswers, checkProblems);
                  record(listener.check("/petstore/pets", null), listenerAnswers, checkProblems);
                }
              });
      List<Future<?>> guesses = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        guesses.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 12; i++) {
                    HttpResponse<String> answer =
                        http.api("GET", "api/v1/me", username, "guess-" + thread + "-" + i, null);
                    floodAnswers
                        .computeIfAbsent(answer.statusCode(), s -> new AtomicInteger())
                        .incrementAndGet();
                    if (answer.statusCode() == 429) {
                      synchronized (retryAfters) {
                        retryAfters.add(answer.headers().firstValue("Retry-After").orElse(""));
                      }
                      assertEquals("too_many_attempts", error(answer), answer.body());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> guess : guesses) {
        guess.get(5, TimeUnit.MINUTES);
      }
      flooding.set(false);
      checks.get(1, TimeUnit.MINUTES);
    } finally {
      flooding.set(false);
      pool.shutdownNow();
    }

    assertTrue(floodAnswers.containsKey(429), "the account is throttled: " + floodAnswers);
    assertTrue(
        floodAnswers.keySet().stream().allMatch(s -> s == 401 || s == 429 || s == 503),
        "guesses are refused, nothing else: " + floodAnswers);
    assertFalse(retryAfters.isEmpty());
    for (String retryAfter : retryAfters) {
      assertTrue(retryAfter.matches("[1-9][0-9]*"), "Retry-After in seconds: " + retryAfter);
    }
    assertTrue(checkProblems.isEmpty(), "the check answered as usual: " + checkProblems);
    assertTrue(checkAnswers.get() > 0, "the check servlet answered during the flood");
    assertTrue(listenerAnswers.get() > 0, "the check listener answered during the flood");

    assertTrue(
        count(
                "select count(*) from audit_event where action = ? and target_id = ?",
                "sign_in.failed",
                username)
            >= 5,
        "each wrong password is audited");
    assertTrue(
        count(
                "select count(*) from audit_event where action = ? and target_id = ?",
                "sign_in.throttled",
                username)
            >= 1,
        "the lockout is audited");

    // The right password after the lockout has run out works; one lockout at most is waited for.
    HttpResponse<String> me = null;
    for (int attempt = 0; attempt < 8; attempt++) {
      me = http.api("GET", "api/v1/me", username, user[1], null);
      if (me.statusCode() != 429) {
        break;
      }
      Thread.sleep(1000 * Long.parseLong(me.headers().firstValue("Retry-After").orElse("1")));
    }
    assertEquals(200, me.statusCode(), me.body());
    assertEquals(username, JSON.readTree(me.body()).path("username").asText());
  }

  @Test
  void aThrottledSignInOnTheLoginPageSaysWhenToTryAgain() throws Exception {
    String[] user = createUser("developer");
    FormBrowser browser = new FormBrowser(base);
    for (int i = 0; i < 5; i++) {
      assertEquals(null, browser.signIn(user[0], "wrong-" + i));
    }
    assertEquals(null, browser.signIn(user[0], user[1]));
    assertTrue(
        browser.lastBody.contains("Too many failed sign-ins"),
        "the login page says the account is throttled: " + browser.lastBody);
    assertTrue(browser.lastBody.matches("(?s).*Try again in [1-9][0-9]* seconds.*"));
  }

  @Test
  void basicCredentialsCountOnlyOnTheApi() throws Exception {
    HttpResponse<String> page =
        http.send(
            http.request("portal/products.xhtml")
                .header("Authorization", Http.basic(DEV, DEV_PASSWORD))
                .GET());
    assertEquals(302, page.statusCode(), "a page never signs in with Basic");
    assertTrue(page.headers().firstValue("Location").orElse("").contains("/login.xhtml"));
    assertEquals(200, http.api("GET", "api/v1/me", DEV, DEV_PASSWORD, null).statusCode());

    // No Basic challenge for a browser that sent none: it would learn to replay a password.
    HttpResponse<String> anonymous =
        http.send(http.request("api/v1/me").header("Accept", "application/json").GET());
    assertEquals(401, anonymous.statusCode());
    assertTrue(
        anonymous.headers().allValues("WWW-Authenticate").stream()
            .noneMatch(h -> h.startsWith("Basic")),
        anonymous.headers().toString());
  }

  // --- item 7: the admin API ------------------------------------------------------------------

  @Test
  void semicolonPathParametersAreRefusedOnTheApi() {
    for (String path :
        List.of(
            "api/v1/admin;x=y/users",
            "api/v1/admin;/users",
            "api/v1/me;x=y",
            "api/v1/admin%3Bx/users")) {
      for (String[] who :
          List.of(new String[] {DEV, DEV_PASSWORD}, new String[] {ADMIN, ADMIN_PASSWORD})) {
        HttpResponse<String> answer = http.api("GET", path, who[0], who[1], null);
        if (who[0].equals(DEV) && path.contains("admin")) {
          // The container's URL constraint may see through the ';' and refuse first: never 200.
          assertTrue(
              answer.statusCode() == 400 || answer.statusCode() == 403,
              path + " as " + who[0] + ": " + answer.body());
          continue;
        }
        assertEquals(400, answer.statusCode(), path + " as " + who[0] + ": " + answer.body());
        assertEquals("invalid_path", error(answer));
      }
    }
  }

  @Test
  void aDeveloperIsRefusedByEveryAdminResource() {
    for (String path :
        List.of(
            "api/v1/admin/users",
            "api/v1/admin/api-keys",
            "api/v1/admin/audit-events",
            "api/v1/admin/dashboard",
            "api/v1/admin/api-products",
            "api/v1/admin/usage-plans",
            "api/v1/admin/redis-mirror")) {
      HttpResponse<String> answer = http.api("GET", path, DEV, DEV_PASSWORD, null);
      assertEquals(403, answer.statusCode(), path + ": " + answer.body());
      assertEquals("forbidden", error(answer));
      assertNotEquals(403, http.api("GET", path, ADMIN, ADMIN_PASSWORD, null).statusCode(), path);
    }
  }

  // --- item 8: cross-site requests and headers ------------------------------------------------

  @Test
  void aCrossSiteCallWithTheSessionCookieIsRefused() throws Exception {
    String[] user = createUser("developer");
    FormBrowser browser = new FormBrowser(base);
    assertNotNull(browser.signIn(user[0], user[1]), "signed in");
    String foreign = "http://attacker.example";
    String form = "apiKeyName=stolen&apiProduct=petstore&usagePlan=gold";
    for (String type : List.of("application/x-www-form-urlencoded", "text/plain")) {
      HttpResponse<String> forged =
          browser.send(
              http.request("api/v1/api-keys")
                  .header("Content-Type", type)
                  .header("Origin", foreign)
                  .POST(HttpRequest.BodyPublishers.ofString(form)));
      assertEquals(403, forged.statusCode(), type + ": " + forged.body());
      assertEquals("cross_site_request", error(forged));
      assertFalse(JSON.readTree(forged.body()).path("message").asText().isBlank());
    }
    HttpResponse<String> forgedDelete =
        browser.send(
            http.request("api/v1/api-keys/" + UUID.randomUUID())
                .header("Origin", foreign)
                .DELETE());
    assertEquals(403, forgedDelete.statusCode(), forgedDelete.body());
    assertEquals(
        0,
        JSON.readTree(browser.send(http.request("api/v1/api-keys").GET()).body()).size(),
        "nothing was made");

    // JSON, or Keyport's own origin, passes this rule (and meets the API's usual ones).
    HttpResponse<String> json =
        browser.send(
            http.request("api/v1/api-keys")
                .header("Content-Type", "application/json")
                .header("Origin", foreign)
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(400, json.statusCode(), json.body());
    String own = base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    HttpResponse<String> sameOrigin =
        browser.send(
            http.request("api/v1/api-keys")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", own)
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    assertNotEquals(403, sameOrigin.statusCode(), sameOrigin.body());

    // Basic carries its credentials itself: not affected.
    HttpResponse<String> basic =
        http.send(
            http.request("api/v1/api-keys")
                .header("Authorization", Http.basic(user[0], user[1]))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", foreign)
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    assertNotEquals(403, basic.statusCode(), basic.body());
  }

  @Test
  void everyPageAndTheApiCarryTheSecurityHeaders() throws Exception {
    FormBrowser anonymous = new FormBrowser(base);
    assertPage(anonymous.send(http.request("login.xhtml").GET()), 200);
    assertPage(anonymous.send(http.request("error/sign-in.xhtml?reason=error").GET()), 200);
    assertPage(anonymous.send(http.request("no-such-page.xhtml").GET()), 404);
    assertPage(anonymous.send(http.request("no-such-file").GET()), 404);

    FormBrowser admin = new FormBrowser(base);
    assertNotNull(admin.signIn(ADMIN, ADMIN_PASSWORD));
    for (String page :
        List.of(
            "portal/products.xhtml",
            "portal/product.xhtml?slug=petstore",
            "portal/keys.xhtml",
            "admin/dashboard.xhtml",
            "admin/products.xhtml",
            "admin/product.xhtml?slug=petstore",
            "admin/plans.xhtml",
            "admin/plan.xhtml?name=gold",
            "admin/users.xhtml",
            "admin/keys.xhtml",
            "admin/audit.xhtml",
            "admin/mirror.xhtml")) {
      assertPage(admin.send(http.request(page).GET()), 200);
    }
    FormBrowser developer = new FormBrowser(base);
    assertNotNull(developer.signIn(DEV, DEV_PASSWORD));
    assertPage(developer.send(http.request("admin/users.xhtml").GET()), 403);

    for (HttpResponse<String> api :
        List.of(
            http.api("GET", "api/v1/me", DEV, DEV_PASSWORD, null),
            http.api("GET", "api/v1/no-such-thing", DEV, DEV_PASSWORD, null),
            http.send(http.request("api/v1/me").GET()))) {
      assertEquals(
          "default-src 'none'; frame-ancestors 'none'",
          api.headers().firstValue("Content-Security-Policy").orElse(""),
          api.uri().toString());
      assertCommonHeaders(api);
      assertEquals("no-store", api.headers().firstValue("Cache-Control").orElse(""));
    }

    // Plain HTTP, and X-Forwarded-Proto from an untrusted peer, get no HSTS.
    HttpResponse<String> forged =
        http.send(http.request("login.xhtml").header("X-Forwarded-Proto", "https").GET());
    assertTrue(forged.headers().firstValue("Strict-Transport-Security").isEmpty());
  }

  private static void assertPage(HttpResponse<String> page, int status) {
    String where = page.uri().toString();
    assertEquals(status, page.statusCode(), where);
    List<String> policies = page.headers().allValues("Content-Security-Policy");
    assertFalse(policies.isEmpty(), where + " has a Content-Security-Policy");
    String policy = String.join(", ", policies);
    assertTrue(policy.contains("frame-ancestors 'none'"), where + ": " + policy);
    Matcher script = Pattern.compile("script-src ([^;,]*)").matcher(policy);
    assertTrue(script.find(), where + ": " + policy);
    assertTrue(script.group(1).contains("'nonce-"), where + ": " + policy);
    assertFalse(script.group(1).contains("unsafe"), where + ": " + policy);
    assertCommonHeaders(page);
    // What the policy would block is not on the page: no inline handlers, no nonce-less scripts.
    Matcher handler = Pattern.compile("<[^>]+\\son[a-z]+=\"").matcher(page.body());
    assertFalse(
        handler.find(), where + " has an inline event handler: " + snippet(page.body(), handler));
    Matcher inline = Pattern.compile("<script(?![^>]*\\b(src|nonce)=)[^>]*>").matcher(page.body());
    assertFalse(
        inline.find(),
        where + " has an inline script without nonce: " + snippet(page.body(), inline));
  }

  private static String snippet(String body, Matcher found) {
    try {
      int start = found.start();
      return body.substring(start, Math.min(body.length(), start + 160));
    } catch (IllegalStateException none) {
      return "";
    }
  }

  private static void assertCommonHeaders(HttpResponse<String> response) {
    String where = response.uri().toString();
    assertEquals(
        "nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), where);
    assertEquals("same-origin", response.headers().firstValue("Referrer-Policy").orElse(""), where);
    assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), where);
  }

  // --- helpers --------------------------------------------------------------------------------

  private static void record(
      HttpResponse<String> answer, AtomicInteger count, List<String> problems) {
    count.incrementAndGet();
    if (answer.statusCode() != 401 || !answer.body().contains("missing_api_key")) {
      synchronized (problems) {
        problems.add(answer.statusCode() + " " + answer.body());
      }
    }
  }

  private static URL url(String text) {
    try {
      return new URL(text);
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A user of this test's own: {username, password}. */
  /** Guessing the current password on the password change is throttled like a sign-in. */
  @Test
  void guessingTheCurrentPasswordOfAPasswordChangeIsThrottled() throws Exception {
    String[] user = createUser("developer");
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 6; i++) {
      last =
          http.api(
              "POST",
              "api/v1/me/password",
              user[0],
              user[1],
              "{\"currentPassword\":\"guess " + i + "\",\"newPassword\":\"a new password 1\"}");
      statuses.add(last.statusCode());
    }
    assertEquals(List.of(400, 400, 400, 400, 400, 429), statuses, last.body());
    assertTrue(last.headers().firstValue("Retry-After").isPresent(), "Retry-After on the 429");
    assertEquals("too_many_attempts", error(last));
  }

  private String[] createUser(String role) throws Exception {
    String username = "websec-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/admin/users",
            ADMIN,
            ADMIN_PASSWORD,
            "{\"username\":\""
                + username
                + "\",\"displayName\":\"Web security IT\",\"roles\":[\""
                + role
                + "\"]}");
    assertEquals(201, created.statusCode(), created.body());
    String temporary = JSON.readTree(created.body()).path("temporaryPassword").asText();
    return new String[] {username, Users.ownPassword(http, username, temporary)};
  }

  private static String error(HttpResponse<String> answer) {
    try {
      JsonNode body = JSON.readTree(answer.body());
      return body.path("error").asText();
    } catch (Exception notJson) {
      fail("not a JSON error body: " + answer.statusCode() + " " + answer.body());
      return null;
    }
  }
}
