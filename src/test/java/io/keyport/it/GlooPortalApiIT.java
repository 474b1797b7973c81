package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.OidcProvider;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Gloo Portal's server API (SPEC §10) as solo-io's dev-portal-starter calls it: every call with its
 * exact JSON shape, user isolation, plan-wide keys at the check (and their reach changing the
 * moment an admin withdraws the plan), a bearer token the browser got from a real provider with
 * PKCE, CORS for the allowed origin only, and the login/logout redirects kept to that origin.
 */
@ExtendWith(KeyportServers.class)
class GlooPortalApiIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PORTAL = ServerConfig.PORTAL_ORIGIN;

  @Shared static KeyportServer node;

  private final Http http = node.http();

  // --- GET /v1/me ------------------------------------------------------------------------------

  @Test
  void meNamesTheCallerAndWhetherTheyAreAnAdmin() throws Exception {
    JsonNode dev = ok(call("GET", "v1/me", "dev@example.com", "dev", null));
    assertEquals(Set.of("name", "email", "username", "isAdmin"), fields(dev));
    assertEquals("dev@example.com", dev.get("username").asText());
    assertEquals("dev@example.com", dev.get("email").asText());
    assertFalse(dev.get("isAdmin").asBoolean());
    JsonNode admin = ok(call("GET", "v1/me", Users.ADMIN, Users.ADMIN_PASSWORD, null));
    assertTrue(admin.get("isAdmin").asBoolean());

    HttpResponse<String> anonymous = http.send(http.request("v1/me").GET());
    assertEquals(401, anonymous.statusCode(), "an anonymous call is refused, not redirected");
  }

  // --- GET /v1/apis, /v1/apis/{id}/schema, /v1/usage-plans ---------------------------------------

  @Test
  void apisCarryTheProductsDocumentInfoAndMetadataAndPlansListTheirApis() throws Exception {
    Catalogue own = Catalogue.make(http, true);
    JsonNode apis = ok(call("GET", "v1/apis", "dev@example.com", "dev", null));
    JsonNode first = find(apis, "apiId", own.first);
    assertEquals(
        Set.of(
            "apiId",
            "apiProductId",
            "apiProductDisplayName",
            "apiVersion",
            "title",
            "description",
            "contact",
            "license",
            "termsOfService",
            "customMetadata",
            "usagePlans"),
        fields(first));
    assertEquals(own.first, first.get("apiProductId").asText());
    assertEquals("Ledger " + own.first, first.get("apiProductDisplayName").asText());
    assertEquals("2.1", first.get("apiVersion").asText());
    assertEquals("Ledger API", first.get("title").asText());
    assertEquals("ledger@example.com", first.get("contact").asText());
    assertEquals("Apache-2.0", first.get("license").asText());
    assertEquals("https://example.com/terms", first.get("termsOfService").asText());
    assertEquals(
        Map.of("category", "finance", "team", "ledger"),
        JSON.convertValue(first.get("customMetadata"), Map.class));
    assertEquals(List.of(own.plan), texts(first.get("usagePlans")));
    JsonNode second = find(apis, "apiId", own.second);
    assertEquals("", second.get("contact").asText(), "no document: empty info, as Gloo gives");
    assertEquals(Map.of(), JSON.convertValue(second.get("customMetadata"), Map.class));

    HttpResponse<String> schema =
        call("GET", "v1/apis/" + own.first + "/schema", "dev@example.com", "dev", null);
    assertEquals(200, schema.statusCode(), schema.body());
    assertTrue(
        schema.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals(
        "Ledger API",
        JSON.readTree(schema.body()).path("info").path("title").asText(),
        "YAML served as JSON");
    assertEquals(
        404,
        call("GET", "v1/apis/" + own.second + "/schema", "dev@example.com", "dev", null)
            .statusCode());
    assertEquals(
        404,
        call("GET", "v1/apis/no-such-api/schema", "dev@example.com", "dev", null).statusCode());

    JsonNode plans = ok(call("GET", "v1/usage-plans", "dev@example.com", "dev", null));
    JsonNode plan = find(plans, "name", own.plan);
    assertEquals(Set.of("name", "authPolicies", "rateLimitPolicy", "apiIds"), fields(plan));
    assertEquals("apiKey", plan.get("authPolicies").get(0).get("authType").asText());
    assertEquals("MINUTE", plan.get("rateLimitPolicy").get("unit").asText());
    assertEquals(1000, plan.get("rateLimitPolicy").get("requestsPerUnit").asInt());
    assertEquals(
        new TreeSet<>(List.of(own.first, own.second)), new TreeSet<>(texts(plan.get("apiIds"))));
  }

  // --- /v1/api-keys --------------------------------------------------------------------------

  @Test
  void keysAreMadeListedByPlanAndDeletedAndAnotherUsersAreNotThere() throws Exception {
    Catalogue own = Catalogue.make(http, false);
    Users.Person owner = Users.create(http, "gloo-owner", "developer");
    Users.Person other = Users.create(http, "gloo-other", "developer");

    HttpResponse<String> made =
        call(
            "POST",
            "v1/api-keys",
            owner.username(),
            owner.password(),
            "{\"usagePlan\":\"" + own.plan + "\",\"apiKeyName\":\"everything\"}");
    assertEquals(201, made.statusCode(), made.body());
    JsonNode planWide = JSON.readTree(made.body());
    assertEquals(Set.of("id", "name", "apiKey", "metadata"), fields(planWide));
    assertEquals("everything", planWide.get("name").asText());
    assertTrue(planWide.get("apiKey").asText().startsWith("kp_"));
    assertEquals(own.plan, planWide.get("metadata").get("usagePlan").asText());
    assertEquals(owner.username(), planWide.get("metadata").get("username").asText());
    assertFalse(planWide.get("metadata").has("apiProduct"), "a plan-wide key has no product");

    JsonNode oneApi =
        ok201(
            call(
                "POST",
                "v1/api-keys",
                owner.username(),
                owner.password(),
                "{\"usagePlan\":\""
                    + own.plan
                    + "\",\"apiKeyName\":\"one\",\"apiProductId\":\""
                    + own.first
                    + "\"}"));
    assertEquals(own.first, oneApi.get("metadata").get("apiProduct").asText());

    JsonNode listed =
        ok(
            call(
                "GET",
                "v1/api-keys?usagePlans=" + own.plan + ",gold",
                owner.username(),
                owner.password(),
                null));
    assertEquals(2, listed.size(), listed.toString());
    assertEquals(own.plan, listed.get(0).get("usagePlan").asText());
    assertEquals(Set.of("usagePlan", "apiKeys"), fields(listed.get(0)));
    JsonNode keys = listed.get(0).get("apiKeys");
    assertEquals(Set.of("id", "name", "metadata"), fields(keys.get(0)));
    assertEquals(
        Set.of(planWide.get("id").asText(), oneApi.get("id").asText()),
        Set.copyOf(texts(keys, "id")));
    assertFalse(keys.toString().contains(planWide.get("apiKey").asText()), "never the value again");
    assertEquals("gold", listed.get(1).get("usagePlan").asText());
    assertEquals(0, listed.get(1).get("apiKeys").size());

    JsonNode others =
        ok(
            call(
                "GET",
                "v1/api-keys?usagePlans=" + own.plan,
                other.username(),
                other.password(),
                null));
    assertEquals(0, others.get(0).get("apiKeys").size(), "another user's keys are not listed");
    HttpResponse<String> stolen =
        call(
            "DELETE",
            "v1/api-keys/" + planWide.get("id").asText(),
            other.username(),
            other.password(),
            null);
    assertEquals(404, stolen.statusCode(), stolen.body());

    HttpResponse<String> taken =
        call(
            "POST",
            "v1/api-keys",
            owner.username(),
            owner.password(),
            "{\"usagePlan\":\"" + own.plan + "\",\"apiKeyName\":\"everything\"}");
    assertEquals(409, taken.statusCode(), taken.body());
    assertEquals("name_taken", JSON.readTree(taken.body()).get("error").asText());
    HttpResponse<String> noPlan =
        call(
            "POST",
            "v1/api-keys",
            owner.username(),
            owner.password(),
            "{\"usagePlan\":\"no-such-plan\",\"apiKeyName\":\"x\"}");
    assertEquals(400, noPlan.statusCode(), noPlan.body());
    assertTrue(
        JSON.readTree(noPlan.body()).get("message").asText().contains("No API product offers"));

    HttpResponse<String> deleted =
        call(
            "DELETE",
            "v1/api-keys/" + planWide.get("id").asText(),
            owner.username(),
            owner.password(),
            null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals(
        401, http.check("/" + own.first + "/x", planWide.get("apiKey").asText()).statusCode());
    JsonNode after = ok(call("GET", "v1/api-keys", owner.username(), owner.password(), null));
    assertEquals(List.of(oneApi.get("id").asText()), texts(after.get(0).get("apiKeys"), "id"));
    // Keyport's own API shows the same key, plan-wide with no product.
    JsonNode ownApi = ok(call("GET", "api/v1/api-keys", owner.username(), owner.password(), null));
    assertEquals(1, ownApi.size());
  }

  @Test
  void aPlanWideKeyPassesOnEveryProductOfItsPlanAndLosesOneTheMomentThePlanIsWithdrawn()
      throws Exception {
    Catalogue own = Catalogue.make(http, false);
    JsonNode key =
        ok201(
            call(
                "POST",
                "v1/api-keys",
                "dev@example.com",
                "dev",
                "{\"usagePlan\":\"" + own.plan + "\",\"apiKeyName\":\"wide-" + own.plan + "\"}"));
    String value = key.get("apiKey").asText();
    HttpResponse<String> first = http.check("/" + own.first + "/a", value);
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(own.first, first.headers().firstValue("x-api-product").orElse(""));
    HttpResponse<String> second = http.check("/" + own.second + "/b", value);
    assertEquals(200, second.statusCode(), second.body());
    assertEquals(own.second, second.headers().firstValue("x-api-product").orElse(""));
    assertEquals(
        403, http.check("/petstore/pets", value).statusCode(), "petstore does not offer the plan");

    own.withdrawPlanFrom(own.second);
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 403; attempt++) {
      status = http.check("/" + own.second + "/b", value).statusCode();
      if (status != 403) {
        Thread.sleep(100);
      }
    }
    assertEquals(403, status, "still passing on a product that withdrew the plan");
    assertEquals(200, http.check("/" + own.first + "/a", value).statusCode());
  }

  // --- bearer tokens, as the starter gets them in the browser ----------------------------------

  @Test
  @ResourceLock(Locks.OIDC_PROVIDER)
  void aBearerTokenTheBrowserGotWithPkceSignsTheCallerIn() throws Exception {
    String email = "gloo-" + UUID.randomUUID().toString().substring(0, 8) + "@corp.example";
    String token = pkceIdToken(node.oidc(), email);
    HttpResponse<String> me =
        http.send(
            http.request("v1/me")
                .header("Authorization", "Bearer " + token)
                .header("Origin", PORTAL)
                .GET());
    assertEquals(200, me.statusCode(), me.body());
    assertEquals(email, JSON.readTree(me.body()).get("username").asText());
    assertEquals(PORTAL, me.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    HttpResponse<String> made =
        http.send(
            http.request("v1/api-keys")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"usagePlan\":\"gold\",\"apiKeyName\":\"from-the-starter\"}")));
    assertEquals(201, made.statusCode(), made.body());
    HttpResponse<String> forged =
        http.send(http.request("v1/me").header("Authorization", "Bearer " + token + "x").GET());
    assertEquals(401, forged.statusCode(), forged.body());
    assertEquals("invalid_token", JSON.readTree(forged.body()).get("error").asText());
  }

  // --- CORS -----------------------------------------------------------------------------------

  @Test
  void theAllowedOriginGetsCorsWithCredentialsAndAForeignOneNothing() {
    HttpResponse<String> preflight =
        http.send(
            http.request("v1/api-keys")
                .header("Origin", PORTAL)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertTrue(
        preflight.statusCode() == 200 || preflight.statusCode() == 204, preflight.toString());
    assertEquals(PORTAL, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals(
        "true", preflight.headers().firstValue("Access-Control-Allow-Credentials").orElse(""));
    assertTrue(
        preflight
            .headers()
            .firstValue("Access-Control-Allow-Methods")
            .orElse("")
            .contains("DELETE"));
    assertTrue(
        preflight
            .headers()
            .firstValue("Access-Control-Allow-Headers")
            .orElse("")
            .toLowerCase()
            .contains("content-type"));

    HttpResponse<String> foreign =
        http.send(
            http.request("v1/api-keys")
                .header("Origin", "http://evil.example.test")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertTrue(
        foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty(),
        foreign.headers().toString());
    HttpResponse<String> foreignRead =
        http.send(
            http.request("v1/me")
                .header("Origin", "http://evil.example.test")
                .header("Authorization", Http.basic("dev@example.com", "dev"))
                .GET());
    assertEquals(200, foreignRead.statusCode());
    assertTrue(
        foreignRead.headers().firstValue("Access-Control-Allow-Origin").isEmpty(),
        "a foreign page's browser must not be let read the answer");
    assertFalse(foreignRead.headers().allValues("Access-Control-Allow-Origin").contains("*"));

    HttpResponse<String> refused = http.send(http.request("v1/me").header("Origin", PORTAL).GET());
    assertEquals(401, refused.statusCode());
    assertEquals(
        PORTAL,
        refused.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
        "the front end must be able to read a 401 to offer sign-in");
  }

  // --- cookie mode: /v1/login and /v1/logout ---------------------------------------------------

  @Test
  void loginAndLogoutGoThroughKeyportsSignInAndBackOnlyToTheAllowedOrigin() {
    HttpClient noRedirects =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> login =
        send(noRedirects, http.request("v1/login?redirect=" + encode(PORTAL + "/apis")).GET());
    assertEquals(302, login.statusCode(), login.body());
    assertTrue(
        login.headers().firstValue("Location").orElse("").endsWith("/login.xhtml"),
        login.headers().toString());

    HttpResponse<String> logout =
        send(noRedirects, http.request("v1/logout?redirect=" + encode(PORTAL + "/")).GET());
    assertEquals(303, logout.statusCode(), logout.body());
    assertEquals(PORTAL + "/", logout.headers().firstValue("Location").orElse(""));

    for (String elsewhere :
        List.of(
            "http://evil.example.test/",
            "//evil.example.test/",
            "javascript:alert(1)",
            PORTAL + "@evil.example.test/")) {
      HttpResponse<String> refused =
          send(noRedirects, http.request("v1/logout?redirect=" + encode(elsewhere)).GET());
      assertEquals(400, refused.statusCode(), elsewhere + ": " + refused.body());
      assertTrue(refused.body().contains("keyport.portal-api.allowed-origins"), refused.body());
      assertTrue(refused.headers().firstValue("Location").isEmpty());
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  /**
   * Two products of the test's own on one plan of its own; the first has a document and metadata.
   */
  private record Catalogue(Http http, String plan, String first, String second) {

    static Catalogue make(Http http, boolean describe) throws Exception {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      Catalogue own = new Catalogue(http, "gp-" + suffix, "gpa-" + suffix, "gpb-" + suffix);
      ObjectNode plan = JSON.createObjectNode();
      plan.put("name", own.plan).put("displayName", "Plan " + own.plan);
      plan.putObject("rateLimit").put("requestsPerUnit", 1000).put("unit", "MINUTE");
      ok201(admin(http, "POST", "api/v1/admin/usage-plans", plan.toString()));
      ObjectNode first = product(own.first, own.plan);
      first.put("version", "2.1");
      if (describe) {
        first.put(
            "openapi",
            "openapi: 3.0.3\ninfo:\n  title: Ledger API\n  version: '2.1'\n"
                + "  termsOfService: https://example.com/terms\n"
                + "  contact: {name: Ledger team, email: ledger@example.com}\n"
                + "  license: {name: Apache-2.0}\npaths: {}\n");
        first.putObject("metadata").put("category", "finance").put("team", "ledger");
      }
      ok201(admin(http, "POST", "api/v1/admin/api-products", first.toString()));
      ok201(
          admin(
              http, "POST", "api/v1/admin/api-products", product(own.second, own.plan).toString()));
      return own;
    }

    private static ObjectNode product(String slug, String plan) {
      ObjectNode product = JSON.createObjectNode();
      product.put("id", slug).put("displayName", "Ledger " + slug);
      product.putArray("routes").addObject().put("pathPrefix", "/" + slug + "/");
      product.putArray("usagePlans").add(plan);
      return product;
    }

    /** An admin edits the product to offer no plan. */
    void withdrawPlanFrom(String slug) throws Exception {
      JsonNode current = ok(admin(http, "GET", "api/v1/admin/api-products/" + slug, null));
      ObjectNode edit = product(slug, plan);
      edit.putArray("usagePlans");
      edit.put("lockVersion", current.get("lockVersion").asLong());
      ok(admin(http, "PUT", "api/v1/admin/api-products/" + slug, edit.toString()));
    }
  }

  private HttpResponse<String> call(
      String method, String path, String user, String password, String body) {
    return http.api(method, path, user, password, body);
  }

  private static HttpResponse<String> admin(Http http, String method, String path, String body) {
    return http.api(method, path, Users.ADMIN, Users.ADMIN_PASSWORD, body);
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static JsonNode ok201(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static Set<String> fields(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode element : array) {
      if (value.equals(element.path(field).asText())) {
        return element;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.get(field).asText()));
    return texts;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("Keyport did not answer " + request.build().uri(), e);
    }
  }

  /**
   * An ID token from the run's provider through the authorization-code flow with PKCE, as a browser
   * front end gets one: a code challenge on the way out, the verifier and no client secret at the
   * token endpoint.
   */
  private static String pkceIdToken(OidcProvider provider, String email) throws Exception {
    HttpClient browser =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String challenge =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String redirect = PORTAL + "/callback";
    Map<String, String> ask = new LinkedHashMap<>();
    ask.put("response_type", "code");
    ask.put("client_id", OidcProvider.CLIENT_ID);
    ask.put("redirect_uri", redirect);
    ask.put("scope", "openid email profile");
    ask.put("state", "s-" + UUID.randomUUID());
    ask.put("nonce", "n-" + UUID.randomUUID());
    ask.put("code_challenge", challenge);
    ask.put("code_challenge_method", "S256");
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("email", email);
    claims.put("email_verified", true);
    claims.put("name", "Gloo " + email);
    HttpResponse<String> login =
        browser.send(
            HttpRequest.newBuilder(URI.create(provider.issuer() + "/authorize?" + form(ask)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        form(Map.of("username", email, "claims", JSON.writeValueAsString(claims)))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(302, login.statusCode(), login.body());
    String location = login.headers().firstValue("Location").orElseThrow();
    String code =
        List.of(URI.create(location).getRawQuery().split("&")).stream()
            .filter(pair -> pair.startsWith("code="))
            .map(pair -> java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no code in " + location));
    Map<String, String> exchange = new LinkedHashMap<>();
    exchange.put("grant_type", "authorization_code");
    exchange.put("code", code);
    exchange.put("redirect_uri", redirect);
    exchange.put("client_id", OidcProvider.CLIENT_ID);
    exchange.put("code_verifier", verifier);
    HttpResponse<String> tokens =
        browser.send(
            HttpRequest.newBuilder(URI.create(provider.issuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(exchange)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, tokens.statusCode(), tokens.body());
    return JSON.readTree(tokens.body()).get("id_token").asText();
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }
}
