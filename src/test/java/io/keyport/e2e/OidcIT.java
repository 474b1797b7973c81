package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.it.TestDatabase;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.OidcProvider;
import io.keyport.testsupport.Shared;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceLockTarget;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Sign-in through a real OpenID Connect provider: navikt's mock-oauth2-server, started in this JVM
 * on the port Maven reserved ({@code it.oidc.port}), with its interactive login page. One Keyport
 * ({@code node-oidc} in arquillian.xml, {@code keyport.auth.mode=both}) serves every test; each
 * test signs in people of its own, so none depends on another or on the demo users.
 *
 * <p>Covered: a full browser sign-in through the provider's login page, a key made and used at the
 * check, logout through the provider's end-session endpoint; just-in-time users and later name
 * changes; the admin claim granting and, at the next sign-in, taking away the admin role; a
 * replayed state and an expired ID token refused at sign-in; bearer tokens on the REST API (ID and
 * access tokens pass; a wrong audience, an expired or a tampered token get 401 JSON).
 */
@ExtendWith(KeyportServers.class)
// Beside the shared-node lane, as BrowserIT; one method at a time, for the provider's callbacks.
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = Locks.DATABASE_LINK, mode = ResourceAccessMode.READ)
@ResourceLock(value = Locks.SIGN_IN, mode = ResourceAccessMode.READ)
@ResourceLock(value = Locks.OIDC_PROVIDER, target = ResourceLockTarget.CHILDREN)
class OidcIT {

  // What the shared node is configured with (ServerConfig.DEFAULT).
  private static final String ISSUER_ID = OidcProvider.ISSUER_ID;
  private static final String CLIENT_ID = OidcProvider.CLIENT_ID;
  private static final String CLIENT_SECRET = OidcProvider.CLIENT_SECRET;
  private static final String PROVIDER_NAME = OidcProvider.PROVIDER_NAME;

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static MockOAuth2Server provider;
  private static String issuer;

  @Shared static KeyportServer keyport;

  @Shared URL base;

  /**
   * The node listens on a port Maven reserved and names http://127.0.0.1:port/oidc/callback as its
   * redirect URI (keyport.oidc.redirect-uri is required); the browser must use that host, or the
   * provider's answer arrives without the session's cookie.
   */
  @BeforeEach
  void onTheRedirectUrisHost() throws IOException {
    base = new URL("http://127.0.0.1:" + base.getPort() + "/");
  }

  @BeforeAll
  static void provider() throws IOException {
    // Up for the whole run, as long as the node that caches its discovery document and keys.
    provider = keyport.oidc().server();
    issuer = keyport.oidc().issuer();
    HttpResponse<String> discovery =
        new Visitor().get(URI.create(issuer + "/.well-known/openid-configuration"));
    assertEquals(200, discovery.statusCode(), "the provider's discovery document");
    assertEquals(issuer, JSON.readTree(discovery.body()).get("issuer").asText());
  }

  // --- the browser ---------------------------------------------------------------------------

  @Test
  void aPersonSignsInThroughTheProviderInChromiumMakesAKeyUsesItAndLogsOut() throws Exception {
    try (Chromium chromium = Chromium.start()) {
      try {
        walkThrough(chromium);
      } catch (AssertionError | RuntimeException failure) {
        chromium.keepEvidence("oidc-failure");
        throw failure;
      }
    }
  }

  private void walkThrough(Chromium chromium) throws Exception {
    WebDriver browser = chromium.browser();
    WebDriverWait wait = chromium.waiting(PATIENCE);
    Person person = Person.fresh("browser");
    Http http = new Http(base);

    // 1. The login page offers the provider and, in "both" mode, the local form.
    browser.get(base.toString());
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));
    WebElement button = visible(wait, By.id("login:provider"));
    assertEquals("Sign in with " + PROVIDER_NAME, button.getText().trim());
    visible(wait, By.id("login:username"));
    visible(wait, By.id("login:password"));
    chromium.capture("login-oidc.png");

    // 2. The provider's own login page; its claims box stands in for the provider's user record.
    button.click();
    wait.until(ExpectedConditions.urlContains(issuer + "/authorize"));
    visible(wait, By.name("username")).sendKeys(person.subject());
    WebElement claims = browser.findElement(By.name("claims"));
    claims.clear();
    claims.sendKeys(person.claims(List.of()));
    browser.findElement(By.cssSelector("input[type='submit']")).click();

    // 3. Back in Keyport, signed in as a new user with the provider's name for them.
    wait.until(ExpectedConditions.urlContains("/portal/products.xhtml"));
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "API products"));
    assertEquals(person.name(), browser.findElement(By.cssSelector(".kp-user")).getText().trim());
    StoredUser stored = StoredUser.load(person.email());
    assertNotNull(stored, "no app_user row for " + person.email());
    assertEquals(issuer, stored.issuer());
    assertEquals(person.subject(), stored.subject());
    assertNull(stored.passwordHash(), "a user from the provider has no password");

    // 4. A key, made in the dialog, passes the check as this user.
    browser
        .findElement(
            By.xpath(
                "//*[contains(@class,'ui-accordion-header')]"
                    + "[.//span[contains(@class,'kp-product-name') and normalize-space()='Pet Store']]"))
        .click();
    By gold = By.cssSelector("button.kp-add-key[data-product='petstore'][data-plan='gold']");
    visible(wait, gold);
    Chromium.settled(wait);
    browser.findElement(gold).click();
    visible(wait, By.id("newKeyDialog"));
    Chromium.settled(wait);
    visible(wait, By.id("newKeyForm:name")).sendKeys("oidc-" + person.subject());
    browser.findElement(By.id("newKeyForm:generate")).click();
    String key = visible(wait, By.id("newKeyValue")).getText().trim();
    assertTrue(key.matches("kp_[0-9A-Za-z]{38}"), "key value: " + key);
    HttpResponse<String> allowed = http.check("/petstore/pets", key);
    assertEquals(200, allowed.statusCode(), allowed.body());
    assertEquals(person.email(), allowed.headers().firstValue("x-user-id").orElse(null));

    // 5. Logging out goes through the provider's end-session endpoint and back to the login page.
    browser.get(http.uri("/portal/keys.xhtml").toString());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "My API keys"));
    browser.findElement(By.id("accountForm:logout")).click();
    wait.until(ExpectedConditions.urlContains("signedOut=true"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login"), "signed out"));
    browser.get(http.uri("/portal/keys.xhtml").toString());
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));

    // 6. The provider's answer, used a second time (a reload of the callback), is refused.
    browser.get(http.uri("/oidc/callback?state=replayed&code=replayed").toString());
    wait.until(ExpectedConditions.urlContains("/error/sign-in.xhtml?reason=state"));
    assertTrue(
        visible(wait, By.id("signInFailure")).getText().contains("Start again"),
        browser.getPageSource());
    chromium.capture("sign-in-failed.png");

    // 7. A local user's profile: the password form and the link to the provider.
    Local local = Local.create(http, "shot");
    browser.get(http.uri("/login.xhtml").toString());
    visible(wait, By.id("login:username")).sendKeys(local.username());
    browser.findElement(By.id("login:password")).sendKeys(local.password());
    browser.findElement(By.id("login:submit")).click();
    // Back to the page the sign-in was asked for (step 5's keys page).
    wait.until(ExpectedConditions.urlContains("/portal/"));
    visible(wait, By.id("accountForm:profile")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "My profile"));
    visible(wait, By.id("linkForm:link"));
    chromium.capture("profile.png");
  }

  // --- sign-in without a browser: the same redirects, followed by hand ------------------------

  @Test
  void theFirstSignInCreatesTheUserAndLaterOnesFollowTheProvidersName() throws Exception {
    Person person = Person.fresh("jit");
    Visitor first = new Visitor();
    signIn(first, person, List.of());
    JsonNode me = me(first);
    assertEquals(person.email(), me.get("username").asText());
    assertEquals(person.name(), me.get("displayName").asText());
    assertEquals(List.of("developer"), roles(me));

    Person renamed = person.renamed("Renamed " + person.name());
    Visitor second = new Visitor();
    signIn(second, renamed, List.of());
    assertEquals(renamed.name(), me(second).get("displayName").asText());
    assertEquals(1, usersWithSubject(person.subject()), "one user per issuer and subject");
  }

  @Test
  void theAdminClaimGrantsAdminAndItsRemovalTakesItAwayAtTheNextSignIn() throws Exception {
    Person person = Person.fresh("admin");
    Visitor asAdmin = new Visitor();
    signIn(asAdmin, person, List.of("staff", "keyport-admins"));
    assertEquals(List.of("admin", "developer"), roles(me(asAdmin)));
    assertEquals(200, asAdmin.get(uri("/admin/mirror.xhtml")).statusCode(), "admin page as admin");

    Visitor demoted = new Visitor();
    signIn(demoted, person, List.of("staff"));
    assertEquals(List.of("developer"), roles(me(demoted)));
    assertEquals(403, demoted.get(uri("/admin/mirror.xhtml")).statusCode(), "admin page after");
  }

  @Test
  void aReplayedStateIsRefused() throws Exception {
    Person person = Person.fresh("replay");
    Visitor visitor = new Visitor();
    URI callback = toCallback(visitor, person, List.of());
    HttpResponse<String> first = visitor.get(callback);
    assertEquals(302, first.statusCode());
    assertTrue(location(first).endsWith("/portal/products.xhtml"), location(first));

    // The same answer again, in the same browser session: the state was spent.
    assertRefused(visitor.get(callback), "state", "could not match this answer");
    // And in a session that never started a sign-in (a stolen or forwarded link).
    assertRefused(new Visitor().get(callback), "state", "could not match this answer");
  }

  @Test
  void anExpiredIdTokenIsRefusedAtSignIn() throws Exception {
    Person person = Person.fresh("expired");
    Visitor visitor = new Visitor();
    URI callback = toCallback(visitor, person, List.of());
    provider.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            ISSUER_ID, person.subject(), "JWT", List.of(CLIENT_ID), Map.of(), -600L));
    assertRefused(visitor.get(callback), "expired", "had expired");
    assertNull(StoredUser.load(person.email()), "a refused sign-in created a user");
  }

  // --- bearer tokens on the REST API ---------------------------------------------------------

  @Test
  void theRestApiTakesTheProvidersTokensAndRefusesBadOnes() throws Exception {
    Person person = Person.fresh("bearer");
    Tokens tokens = providerTokens(CLIENT_ID, person, null, null);

    HttpResponse<String> byIdToken = bearer(tokens.idToken());
    assertEquals(200, byIdToken.statusCode(), byIdToken.body());
    assertEquals(person.email(), JSON.readTree(byIdToken.body()).get("username").asText());

    Tokens forKeyport = providerTokens(CLIENT_ID, person, List.of(CLIENT_ID), null);
    HttpResponse<String> byAccessToken = bearer(forKeyport.accessToken());
    assertEquals(200, byAccessToken.statusCode(), byAccessToken.body());

    Tokens forSomeoneElse = providerTokens("someone-else", person, List.of("someone-else"), null);
    assertInvalidToken(bearer(forSomeoneElse.idToken()), "another client");
    assertInvalidToken(bearer(forSomeoneElse.accessToken()), "another client");

    Tokens expired = providerTokens(CLIENT_ID, person, List.of(CLIENT_ID), -600L);
    assertInvalidToken(bearer(expired.idToken()), "expired");

    assertInvalidToken(bearer(tampered(tokens.idToken())), "signature does not verify");
    assertInvalidToken(bearer("not-a-token"), "not a signed JWT");

    HttpResponse<String> anonymous = new Visitor().get(uri("/api/v1/me"));
    assertEquals(401, anonymous.statusCode());
    assertTrue(
        anonymous.headers().allValues("WWW-Authenticate").stream()
            .anyMatch(h -> h.startsWith("Bearer")),
        "WWW-Authenticate: " + anonymous.headers().allValues("WWW-Authenticate"));
    // "both" mode: local users keep HTTP Basic.
    HttpResponse<String> basic =
        new Http(base).api("GET", "api/v1/me", "dev@example.com", "dev", null);
    assertEquals(200, basic.statusCode(), basic.body());
  }

  // --- who may become or take over which account -------------------------------------------

  @Test
  void anUnverifiedMissingOrForgedEmailNeverSignsInAndLeavesTheAdminAsItWas() throws Exception {
    StoredUser adminBefore = StoredUser.load("admin@example.com");
    assertNotNull(adminBefore, "the demo admin");
    String subject = "forger-" + UUID.randomUUID().toString().substring(0, 8);
    List<Map<String, Object>> forgeries =
        List.of(
            Map.of("email", "admin@example.com", "email_verified", false),
            Map.of("email", "admin@example.com"),
            Map.of("email", "admin@example.com", "email_verified", "yes"),
            Map.of("email", "admin@example.com", "email_verified", 1),
            Map.of("preferred_username", "admin@example.com"));
    for (Map<String, Object> claims : forgeries) {
      Visitor visitor = new Visitor();
      String reason = claims.containsKey("email") ? "unverified" : "no_username";
      assertRefused(
          visitor.get(toCallback(visitor, subject, claims)),
          reason,
          reason.equals("unverified") ? "has not confirmed" : "did not tell Keyport");
      assertEquals(401, visitor.get(uri("/api/v1/me")).statusCode(), "signed in by " + claims);
    }
    assertEquals(adminBefore, StoredUser.load("admin@example.com"), "the admin account changed");
    assertEquals(0, usersWithSubject(subject), "a forged sign-in created or linked a user");
  }

  @Test
  void theStringTrueCountsAsVerified() throws Exception {
    Person person = Person.fresh("string-true");
    Visitor visitor = new Visitor();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("email", person.email());
    claims.put("email_verified", "true");
    HttpResponse<String> done = visitor.get(toCallback(visitor, person.subject(), claims));
    assertEquals(302, done.statusCode(), done.body());
    assertTrue(location(done).endsWith("/portal/products.xhtml"), location(done));
    assertEquals(person.email(), me(visitor).get("username").asText());
  }

  @Test
  void aVerifiedEmailOfALocalAccountIsNotLinkedUntilItsOwnerLinksItFromTheProfile()
      throws Exception {
    Local local = Local.create(new Http(base), "linkme");
    Person person =
        new Person("sub-" + local.label(), local.username(), "Provider " + local.label());

    // The provider vouches for the address, and still the account is not anyone's to take.
    Visitor stranger = new Visitor();
    assertRefused(
        stranger.get(toCallback(stranger, person, List.of())),
        "account_exists",
        "Link my AcmeID account");
    assertEquals(401, stranger.get(uri("/api/v1/me")).statusCode());
    assertNull(StoredUser.load(local.username()).subject(), "linked by a sign-in");

    // Its owner signs in with the password and links it from the profile page.
    Visitor owner = new Visitor();
    formSignIn(owner, local.username(), local.password());
    HttpResponse<String> profile = owner.get(uri("/portal/profile.xhtml"));
    assertEquals(200, profile.statusCode(), profile.body());
    assertTrue(profile.body().contains("Link my AcmeID account"), profile.body());
    Map<String, String> form = new LinkedHashMap<>();
    form.put("linkForm", "linkForm");
    form.put("linkForm:link", "");
    form.put("jakarta.faces.ViewState", viewState(profile.body()));
    form.put("primefaces.nonce", nonce(profile.body()));
    HttpResponse<String> toProvider = owner.post(uri("/portal/profile.xhtml"), form);
    assertEquals(302, toProvider.statusCode(), toProvider.body());
    URI authorize = URI.create(location(toProvider));
    assertTrue(authorize.toString().startsWith(issuer + "/authorize?"), authorize.toString());
    HttpResponse<String> login =
        owner.post(
            authorize, Map.of("username", person.subject(), "claims", person.claims(List.of())));
    HttpResponse<String> linked = owner.get(URI.create(location(login)));
    assertEquals(302, linked.statusCode(), linked.body());
    assertTrue(location(linked).endsWith("/portal/profile.xhtml?linked=true"), location(linked));
    assertEquals(local.username(), me(owner).get("username").asText(), "still the local user");
    StoredUser stored = StoredUser.load(local.username());
    assertEquals(person.subject(), stored.subject());
    assertNotNull(stored.passwordHash(), "linking kept the password");

    // From now on the provider signs the owner in to that account.
    Visitor later = new Visitor();
    signIn(later, person, List.of());
    assertEquals(local.username(), me(later).get("username").asText());

    // And that identity cannot be linked to another account by its owner.
    Local other = Local.create(new Http(base), "second");
    Visitor second = new Visitor();
    formSignIn(second, other.username(), other.password());
    HttpResponse<String> page = second.get(uri("/portal/profile.xhtml"));
    form.put("jakarta.faces.ViewState", viewState(page.body()));
    form.put("primefaces.nonce", nonce(page.body()));
    HttpResponse<String> again = second.post(uri("/portal/profile.xhtml"), form);
    HttpResponse<String> login2 =
        second.post(
            URI.create(location(again)),
            Map.of("username", person.subject(), "claims", person.claims(List.of())));
    assertRefused(second.get(URI.create(location(login2))), "identity_taken", "already linked");
    assertNull(StoredUser.load(other.username()).subject());
  }

  @Test
  void anOidcUserCannotSquatAnAccountsUsernameAndAnAdminCanLinkIt() throws Exception {
    Local local = Local.create(new Http(base), "squat");
    Person squatter = new Person("squatter-" + local.label(), local.username(), "Squatter");
    Visitor visitor = new Visitor();
    assertRefused(
        visitor.get(toCallback(visitor, squatter, List.of())), "account_exists", "already exists");
    assertNull(StoredUser.load(local.username()).subject());

    // The admin links the account to the person's subject; then the provider signs them in.
    Http http = new Http(base);
    JsonNode user =
        JSON.readTree(
            http.api("GET", "api/v1/admin/users/" + local.username(), ADMIN, ADMIN_PASSWORD, null)
                .body());
    Person rightful = new Person("rightful-" + local.label(), local.username(), "Rightful");
    HttpResponse<String> link =
        http.api(
            "PUT",
            "api/v1/admin/users/" + local.username() + "/oidc-link",
            ADMIN,
            ADMIN_PASSWORD,
            "{\"lockVersion\":"
                + user.get("lockVersion").asLong()
                + ",\"subject\":\""
                + rightful.subject()
                + "\"}");
    assertEquals(200, link.statusCode(), link.body());
    assertEquals(rightful.subject(), JSON.readTree(link.body()).get("oidcSubject").asText());
    Visitor signedIn = new Visitor();
    signIn(signedIn, rightful, List.of());
    assertEquals(local.username(), me(signedIn).get("username").asText());
  }

  // --- local passwords beside the provider ---------------------------------------------------

  @Test
  void aTemporaryPasswordOpensNothingButTheChangeAndAChangeEndsOtherSessions() throws Exception {
    Http http = new Http(base);
    Local local = Local.createTemporary(http, "temp");

    HttpResponse<String> blocked =
        http.api("GET", "api/v1/me", local.username(), local.password(), null);
    assertEquals(403, blocked.statusCode(), blocked.body());
    assertEquals("password_change_required", JSON.readTree(blocked.body()).get("error").asText());
    assertEquals(
        403,
        http.api("GET", "api/v1/api-keys", local.username(), local.password(), null).statusCode());

    Visitor browser = new Visitor();
    formSignIn(browser, local.username(), local.password());
    HttpResponse<String> keys = browser.get(uri("/portal/keys.xhtml"));
    assertEquals(302, keys.statusCode(), "a page other than the profile: " + keys.body());
    assertTrue(location(keys).endsWith("/portal/profile.xhtml"), location(keys));
    HttpResponse<String> profile = browser.get(uri("/portal/profile.xhtml"));
    assertEquals(200, profile.statusCode());
    assertTrue(profile.body().contains("temporary password"), profile.body());

    assertPasswordRefused(http, local, local.password(), "short", 400, "invalid_request");
    assertPasswordRefused(
        http, local, "not-the-password", "a long enough new one", 400, "wrong_password");
    assertPasswordRefused(
        http, local, local.password(), local.password(), 400, "password_unchanged");
    HttpResponse<String> missing =
        http.api("POST", "api/v1/me/password", local.username(), local.password(), "{}");
    assertEquals(400, missing.statusCode(), missing.body());

    String chosen = "correct horse battery " + local.label();
    HttpResponse<String> changed =
        http.api(
            "POST",
            "api/v1/me/password",
            local.username(),
            local.password(),
            passwordBody(local.password(), chosen));
    assertEquals(204, changed.statusCode(), changed.body());

    assertEquals(200, http.api("GET", "api/v1/me", local.username(), chosen, null).statusCode());
    assertEquals(
        401, http.api("GET", "api/v1/me", local.username(), local.password(), null).statusCode());
    // The browser signed in before the change is signed out by it.
    assertEquals(401, browser.get(uri("/api/v1/me")).statusCode(), "the older session lived on");
    assertTrue(auditActions(local.username()).contains("user.password_changed"));
  }

  @Test
  void changingThePasswordOnTheProfilePageKeepsThatSessionAndEndsTheOthers() throws Exception {
    Local local = Local.create(new Http(base), "profile");
    Visitor elsewhere = new Visitor();
    formSignIn(elsewhere, local.username(), local.password());
    Visitor here = new Visitor();
    formSignIn(here, local.username(), local.password());
    HttpResponse<String> page = here.get(uri("/portal/profile.xhtml"));
    String chosen = "a brand new passphrase " + local.label();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("passwordForm", "passwordForm");
    form.put("passwordForm:currentPassword", local.password());
    form.put("passwordForm:newPassword", chosen);
    form.put("passwordForm:confirmPassword", chosen);
    form.put("passwordForm:changePassword", "");
    form.put("jakarta.faces.ViewState", viewState(page.body()));
    form.put("primefaces.nonce", nonce(page.body()));
    HttpResponse<String> done = here.post(uri("/portal/profile.xhtml"), form);
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(done.body().contains("Your password is changed"), done.body());
    assertFalse(done.body().contains(chosen), "the new password came back in the page");
    assertEquals(200, here.get(uri("/api/v1/me")).statusCode(), "this session ended");
    assertEquals(401, elsewhere.get(uri("/api/v1/me")).statusCode(), "the other session lived on");
  }

  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";

  /** A local user of this test's own, with a password it chose (the temporary one changed). */
  record Local(String label, String username, String password) {
    static Local createTemporary(Http http, String label) throws IOException {
      String id = label + "-" + UUID.randomUUID().toString().substring(0, 8);
      String username = id + "@local.example";
      HttpResponse<String> created =
          http.api(
              "POST",
              "api/v1/admin/users",
              ADMIN,
              ADMIN_PASSWORD,
              "{\"username\":\""
                  + username
                  + "\",\"displayName\":\"Local "
                  + id
                  + "\",\"roles\":[\"developer\"]}");
      assertEquals(201, created.statusCode(), created.body());
      JsonNode body = JSON.readTree(created.body());
      assertTrue(body.get("passwordChangeRequired").asBoolean(), created.body());
      return new Local(id, username, body.get("temporaryPassword").asText());
    }

    static Local create(Http http, String label) throws IOException {
      Local temporary = createTemporary(http, label);
      String chosen = "own password for " + temporary.label();
      HttpResponse<String> changed =
          http.api(
              "POST",
              "api/v1/me/password",
              temporary.username(),
              temporary.password(),
              passwordBody(temporary.password(), chosen));
      assertEquals(204, changed.statusCode(), changed.body());
      return new Local(temporary.label(), temporary.username(), chosen);
    }
  }

  private static String passwordBody(String current, String chosen) throws IOException {
    return JSON.writeValueAsString(Map.of("currentPassword", current, "newPassword", chosen));
  }

  private static void assertPasswordRefused(
      Http http, Local local, String current, String chosen, int status, String error)
      throws IOException {
    HttpResponse<String> refused =
        http.api(
            "POST",
            "api/v1/me/password",
            local.username(),
            local.password(),
            passwordBody(current, chosen));
    assertEquals(status, refused.statusCode(), refused.body());
    JsonNode body = JSON.readTree(refused.body());
    assertEquals(error, body.get("error").asText(), refused.body());
    assertFalse(body.get("message").asText().isBlank(), refused.body());
  }

  /** Signs in through the login page's form, as a browser would. */
  private void formSignIn(Visitor visitor, String username, String password) {
    HttpResponse<String> page = visitor.get(uri("/login.xhtml"));
    assertEquals(200, page.statusCode(), page.body());
    Map<String, String> form = new LinkedHashMap<>();
    form.put("login", "login");
    form.put("login:username", username);
    form.put("login:password", password);
    form.put("login:submit", "");
    form.put("jakarta.faces.ViewState", viewState(page.body()));
    form.put("primefaces.nonce", nonce(page.body()));
    HttpResponse<String> done = visitor.post(uri("/login.xhtml"), form);
    assertEquals(302, done.statusCode(), "the login form: " + done.body());
  }

  /** What PrimeFaces' script adds to every form under its CSP mode, as a browser sends it. */
  private static String nonce(String page) {
    Matcher nonce = Pattern.compile("<script[^>]*\\snonce=\"([^\"]+)\"").matcher(page);
    assertTrue(nonce.find(), "no CSP nonce on the page: " + page);
    return nonce.group(1);
  }

  private static String viewState(String page) {
    Matcher viewState =
        Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"").matcher(page);
    assertTrue(viewState.find(), "no view state on the page: " + page);
    return viewState.group(1);
  }

  private static List<String> auditActions(String username) throws SQLException {
    try (Connection db = TestDatabase.connect();
        PreparedStatement sql =
            db.prepareStatement("select action from audit_event where target_id = ?")) {
      sql.setString(1, username);
      List<String> actions = new java.util.ArrayList<>();
      try (ResultSet row = sql.executeQuery()) {
        while (row.next()) {
          actions.add(row.getString(1));
        }
      }
      return actions;
    }
  }

  // --- logout --------------------------------------------------------------------------------

  @Test
  void loggingOutEndsTheKeyportSessionAndSendsTheBrowserToTheProvidersLogout() throws Exception {
    Person person = Person.fresh("logout");
    Visitor visitor = new Visitor();
    signIn(visitor, person, List.of());
    assertEquals(200, visitor.get(uri("/api/v1/me")).statusCode());

    HttpResponse<String> page = visitor.get(uri("/portal/products.xhtml"));
    assertEquals(200, page.statusCode());
    Matcher viewState =
        Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"")
            .matcher(page.body());
    assertTrue(viewState.find(), "no view state on the products page");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("accountForm", "accountForm");
    form.put("accountForm:logout", "");
    form.put("jakarta.faces.ViewState", viewState.group(1));
    HttpResponse<String> logout = visitor.post(uri("/portal/products.xhtml"), form);
    assertEquals(302, logout.statusCode(), logout.body());
    String endSession = location(logout);
    assertTrue(endSession.startsWith(issuer + "/endsession?"), "logout went to " + endSession);
    Map<String, String> query = query(URI.create(endSession));
    assertNotNull(query.get("id_token_hint"), "no id_token_hint: " + query.keySet());
    assertEquals(CLIENT_ID, query.get("client_id"));
    String back = query.get("post_logout_redirect_uri");
    assertEquals(uri("/login.xhtml?signedOut=true").toString(), back);

    HttpResponse<String> provider = visitor.get(URI.create(endSession));
    assertEquals(302, provider.statusCode(), "the provider's end-session endpoint");
    assertEquals(back, location(provider));
    assertEquals(401, visitor.get(uri("/api/v1/me")).statusCode(), "the session outlived logout");
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A person at the provider, with the claims its login page will put in their tokens. */
  record Person(String subject, String email, String name) {
    static Person fresh(String label) {
      String id = label + "-" + UUID.randomUUID().toString().substring(0, 8);
      return new Person(id, id + "@corp.example", "Person " + id);
    }

    Person renamed(String newName) {
      return new Person(subject, email, newName);
    }

    String claims(List<String> groups) {
      return json(claimMap(groups));
    }

    Map<String, Object> claimMap(List<String> groups) {
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("email", email);
      claims.put("email_verified", true);
      claims.put("name", name);
      claims.put("groups", groups);
      return claims;
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  record Tokens(String idToken, String accessToken) {}

  /** A user row as Keyport stored it. */
  record StoredUser(String issuer, String subject, String passwordHash) {
    static StoredUser load(String username) throws SQLException {
      try (Connection db = TestDatabase.connect();
          PreparedStatement sql =
              db.prepareStatement(
                  "select oidc_issuer, oidc_subject, password_hash from app_user where username = ?")) {
        sql.setString(1, username);
        try (ResultSet row = sql.executeQuery()) {
          return row.next()
              ? new StoredUser(row.getString(1), row.getString(2), row.getString(3))
              : null;
        }
      }
    }
  }

  /** A browser without a browser: keeps cookies, follows no redirect by itself. */
  static final class Visitor {
    private final HttpClient client =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    HttpResponse<String> get(URI uri) {
      return send(HttpRequest.newBuilder(uri).GET());
    }

    HttpResponse<String> post(URI uri, Map<String, String> form) {
      return send(
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form(form))));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
      HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
      try {
        return client.send(built, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException("no answer from " + built.uri(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Signs {@code person} in through Keyport's /oidc/login, as a browser would. */
  private void signIn(Visitor visitor, Person person, List<String> groups) {
    URI callback = toCallback(visitor, person, groups);
    HttpResponse<String> done = visitor.get(callback);
    assertEquals(302, done.statusCode(), "Keyport's callback: " + done.body());
    assertTrue(
        location(done).endsWith("/portal/products.xhtml"),
        "after sign-in Keyport sent the browser to " + location(done));
  }

  /** Everything up to the provider's answer, which is returned unused. */
  private URI toCallback(Visitor visitor, Person person, List<String> groups) {
    return toCallback(visitor, person.subject(), person.claimMap(groups));
  }

  /** The same, with the token's claims exactly as given. */
  private URI toCallback(Visitor visitor, String subject, Map<String, Object> claims) {
    HttpResponse<String> start = visitor.get(uri("/oidc/login"));
    assertEquals(302, start.statusCode(), "Keyport's /oidc/login: " + start.body());
    URI authorize = URI.create(location(start));
    assertTrue(authorize.toString().startsWith(issuer + "/authorize?"), authorize.toString());
    Map<String, String> asked = query(authorize);
    assertEquals("code", asked.get("response_type"));
    assertEquals(CLIENT_ID, asked.get("client_id"));
    assertEquals("S256", asked.get("code_challenge_method"));
    assertNotNull(asked.get("code_challenge"), "no PKCE challenge");
    assertNotNull(asked.get("nonce"), "no nonce");
    assertNotNull(asked.get("state"), "no state");
    HttpResponse<String> login =
        visitor.post(authorize, Map.of("username", subject, "claims", json(claims)));
    assertEquals(302, login.statusCode(), "the provider's login: " + login.body());
    URI callback = URI.create(location(login));
    assertTrue(
        callback.toString().startsWith(uri("/oidc/callback").toString()), callback.toString());
    return callback;
  }

  /**
   * Tokens straight from the provider for {@code clientId}, through its own code flow; {@code
   * audience} sets the access token's audience and a negative {@code expiry} makes both tokens
   * expired (null: the provider's defaults).
   */
  private Tokens providerTokens(String clientId, Person person, List<String> audience, Long expiry)
      throws IOException {
    if (audience != null || expiry != null) {
      provider.enqueueCallback(
          new DefaultOAuth2TokenCallback(
              ISSUER_ID,
              person.subject(),
              "JWT",
              audience,
              Map.of(),
              expiry == null ? 3600L : expiry));
    }
    Visitor visitor = new Visitor();
    String redirect = "http://127.0.0.1/unused";
    Map<String, String> ask = new LinkedHashMap<>();
    ask.put("response_type", "code");
    ask.put("client_id", clientId);
    ask.put("redirect_uri", redirect);
    ask.put("scope", "openid email profile");
    ask.put("state", "s-" + UUID.randomUUID());
    ask.put("nonce", "n-" + UUID.randomUUID());
    HttpResponse<String> login =
        visitor.post(
            URI.create(issuer + "/authorize?" + form(ask)),
            Map.of("username", person.subject(), "claims", person.claims(List.of())));
    assertEquals(302, login.statusCode(), login.body());
    String code = query(URI.create(location(login))).get("code");
    Map<String, String> exchange = new LinkedHashMap<>();
    exchange.put("grant_type", "authorization_code");
    exchange.put("code", code);
    exchange.put("redirect_uri", redirect);
    exchange.put("client_id", clientId);
    exchange.put("client_secret", CLIENT_SECRET);
    HttpResponse<String> tokens = visitor.post(URI.create(issuer + "/token"), exchange);
    assertEquals(200, tokens.statusCode(), tokens.body());
    JsonNode body = JSON.readTree(tokens.body());
    return new Tokens(body.get("id_token").asText(), body.get("access_token").asText());
  }

  /** The token with one claim changed and the signature kept: what an attacker would try. */
  private static String tampered(String token) throws IOException {
    String[] parts = token.split("\\.");
    Base64.Decoder decoder = Base64.getUrlDecoder();
    Map<?, ?> claims = JSON.readValue(decoder.decode(parts[1]), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> changed = new LinkedHashMap<>((Map<String, Object>) claims);
    changed.put("email", "admin@example.com");
    String payload =
        Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(changed));
    return parts[0] + "." + payload + "." + parts[2];
  }

  private HttpResponse<String> bearer(String token) {
    return new Visitor()
        .send(
            HttpRequest.newBuilder(uri("/api/v1/me"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET());
  }

  private static void assertInvalidToken(HttpResponse<String> response, String why)
      throws IOException {
    assertEquals(401, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertEquals("invalid_token", body.get("error").asText(), response.body());
    assertTrue(body.get("message").asText().contains(why), response.body());
    assertTrue(
        response.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"),
        "WWW-Authenticate: " + response.headers().allValues("WWW-Authenticate"));
  }

  private void assertRefused(HttpResponse<String> response, String reason, String text) {
    assertEquals(302, response.statusCode(), response.body());
    String target = location(response);
    assertTrue(
        target.endsWith("/error/sign-in.xhtml?reason=" + reason),
        "refusal sent the browser to " + target);
    HttpResponse<String> page =
        new Visitor().get(uri(URI.create(target).getPath() + "?reason=" + reason));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains(text), "the page does not say '" + text + "': " + page.body());
    // PrimeFaces' own script names exception classes; a stack trace would name source lines.
    assertFalse(page.body().contains(".java:"), "a stack trace on the page: " + page.body());
  }

  private JsonNode me(Visitor visitor) throws IOException {
    HttpResponse<String> me = visitor.get(uri("/api/v1/me"));
    assertEquals(200, me.statusCode(), me.body());
    return JSON.readTree(me.body());
  }

  private static List<String> roles(JsonNode me) {
    List<String> roles = new java.util.ArrayList<>();
    me.get("roles").forEach(r -> roles.add(r.asText()));
    return roles.stream().sorted().toList();
  }

  private static int usersWithSubject(String subject) throws SQLException {
    try (Connection db = TestDatabase.connect();
        PreparedStatement sql =
            db.prepareStatement("select count(*) from app_user where oidc_subject = ?")) {
      sql.setString(1, subject);
      try (ResultSet row = sql.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private URI uri(String path) {
    return new Http(base).uri(path);
  }

  private static String location(HttpResponse<String> response) {
    return response
        .headers()
        .firstValue("Location")
        .orElseThrow(() -> new AssertionError("no Location on HTTP " + response.statusCode()));
  }

  private static Map<String, String> query(URI uri) {
    String raw = uri.getRawQuery();
    Map<String, String> values = new LinkedHashMap<>();
    if (raw == null) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      values.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return values;
  }

  private static String form(Map<String, String> values) {
    return values.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static WebElement visible(WebDriverWait wait, By locator) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(locator));
  }
}
