package io.keyport.it;

import static io.keyport.it.TestDatabase.count;
import static io.keyport.it.TestDatabase.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The catalogue half of the admin console (issue #6) through the REST API and the pages: API
 * products and usage plans created, edited and retired, every validation error, optimistic locking,
 * the gateway check following each change, and a developer refused everywhere. Every test makes
 * products and plans of its own with unique names and leaves the demo data alone.
 */
@ExtendWith(KeyportServers.class)
class AdminCatalogIT {

  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";
  private static final String DEV = "dev@example.com";
  private static final String DEV_PASSWORD = "dev";
  private static final String PRODUCTS = "api/v1/admin/api-products";
  private static final String PLANS = "api/v1/admin/usage-plans";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String YAML_DOCUMENT =
      """
      openapi: 3.0.3
      info:
        title: Ledger API
        version: 3.1.0
      paths:
        /entries:
          get:
            summary: List the ledger's entries
            responses:
              '200':
                description: The entries
      """;

  @Shared URL base;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(base);
  }

  // ---------------------------------------------------------------------------------------------
  // API products

  @Test
  void aProductIsCreatedReadListedEditedAndAudited() throws Exception {
    String slug = unique("ledger");
    String prefix = "/" + slug + "/";
    ObjectNode input = product(slug, "Ledger", prefix, "gold", "silver");
    input.put("description", "Double-entry bookkeeping.");
    input.put("version", "3.1.0");
    input.put("openapi", YAML_DOCUMENT);
    ((ObjectNode) input.withArray("routes").get(0)).putArray("methods").add("post").add("GET");

    HttpResponse<String> created = admin("POST", PRODUCTS, input);
    assertEquals(201, created.statusCode(), created.body());
    assertTrue(
        created.headers().firstValue("Location").orElse("").endsWith("/" + PRODUCTS + "/" + slug),
        created.headers()::toString);
    JsonNode body = JSON.readTree(created.body());
    assertEquals(slug, body.path("id").asText());
    assertEquals("Ledger", body.path("displayName").asText());
    assertEquals("Double-entry bookkeeping.", body.path("description").asText());
    assertEquals("3.1.0", body.path("version").asText());
    // Offered plans are kept in the order the plans were made, whatever order they came in.
    assertEquals(List.of("silver", "gold"), texts(body.path("usagePlans")));
    JsonNode route = body.path("routes").get(0);
    assertTrue(route.path("host").isNull(), body::toString);
    assertEquals(prefix, route.path("pathPrefix").asText());
    assertEquals(List.of("GET", "POST"), texts(route.path("methods")));
    assertEquals(YAML_DOCUMENT.strip(), body.path("openapi").asText());
    assertEquals("live", body.path("status").asText());
    assertFalse(body.path("slugLocked").asBoolean(), body::toString);

    JsonNode read = ok(admin("GET", PRODUCTS + "/" + slug, null));
    assertEquals(body, read);
    JsonNode listed = find(ok(admin("GET", PRODUCTS, null)), "id", slug);
    assertEquals(0, listed.path("liveKeys").asLong());
    assertTrue(listed.path("hasOpenapi").asBoolean(), listed::toString);

    // Developers see it at once, with its document as uploaded (YAML).
    JsonNode offered =
        find(ok(http.api("GET", "api/v1/api-products", DEV, DEV_PASSWORD, null)), "id", slug);
    assertEquals("Ledger", offered.path("displayName").asText());
    HttpResponse<String> schema =
        http.api("GET", "api/v1/api-products/" + slug + "/schema", DEV, DEV_PASSWORD, null);
    assertEquals(200, schema.statusCode(), schema.body());
    assertEquals(YAML_DOCUMENT.strip(), schema.body());
    assertTrue(
        schema.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"),
        schema.headers()::toString);

    ObjectNode edit = (ObjectNode) read.deepCopy();
    edit.put("displayName", "Ledger Pro");
    ((ObjectNode) edit.withArray("routes").get(0)).putArray("methods");
    JsonNode edited = ok(admin("PUT", PRODUCTS + "/" + slug, edit));
    assertEquals("Ledger Pro", edited.path("displayName").asText());
    assertEquals(List.of(), texts(edited.path("routes").get(0).path("methods")));
    assertTrue(edited.path("lockVersion").asLong() > read.path("lockVersion").asLong());

    List<Map<String, String>> events = auditOf("api_product", slug);
    assertEquals(
        List.of("api_product.created", "api_product.updated"),
        events.stream().map(e -> e.get("action")).toList());
    events.forEach(e -> assertEquals(ADMIN, e.get("actor"), e::toString));
    JsonNode createdDetails = JSON.readTree(events.get(0).get("details"));
    assertEquals(slug, createdDetails.path("slug").path("after").asText());
    assertEquals("", createdDetails.path("slug").path("before").asText());
    assertTrue(
        createdDetails.path("openapi").path("after").asText().startsWith("sha256:"),
        createdDetails::toString);
    JsonNode updatedDetails = JSON.readTree(events.get(1).get("details"));
    assertEquals(Set.of("displayName", "routes"), fieldNames(updatedDetails));
    assertEquals("Ledger", updatedDetails.path("displayName").path("before").asText());
    assertEquals("Ledger Pro", updatedDetails.path("displayName").path("after").asText());
    assertEquals("*" + prefix + " GET,POST", updatedDetails.path("routes").path("before").asText());
    assertEquals("*" + prefix, updatedDetails.path("routes").path("after").asText());

    // Saving the same thing again changes nothing and audits nothing.
    JsonNode again = ok(admin("PUT", PRODUCTS + "/" + slug, edited));
    assertEquals(edited.path("lockVersion").asLong(), again.path("lockVersion").asLong());
    assertEquals(2, auditOf("api_product", slug).size());
  }

  @Test
  void invalidProductsAreRefusedFieldByFieldAndNothingIsWritten() throws Exception {
    String slug = unique("invalid");
    ObjectNode input = JSON.createObjectNode();
    input.put("id", "Not A Slug");
    ArrayNode routes = input.putArray("routes");
    routes.addObject().put("pathPrefix", "no-slash/").put("host", "api.example.com:8443");
    routes.addObject().put("pathPrefix", "/" + slug + "/").putArray("methods").add("FETCH");
    input.putArray("usagePlans").add("no-such-plan-" + slug);

    JsonNode error = error(admin("POST", PRODUCTS, input), 400, "invalid_request");
    Map<String, String> fields = fields(error);
    assertEquals(
        Set.of(
            "slug",
            "displayName",
            "routes[0].host",
            "routes[0].pathPrefix",
            "routes[1].methods",
            "usagePlans"),
        fields.keySet(),
        error::toString);
    assertTrue(fields.get("routes[0].pathPrefix").contains("Start the path prefix with /"));
    assertTrue(fields.get("usagePlans").contains("There is no usage plan 'no-such-plan-"));
    assertTrue(error.path("message").asText().startsWith("6 fields need fixing."), error::toString);

    input.put("id", slug);
    input.put("displayName", "Invalid");
    error(admin("POST", PRODUCTS, input), 400, "invalid_request");
    error(admin("GET", PRODUCTS + "/" + slug, null), 404, "not_found");
    assertEquals(0, count("select count(*) from api_product where slug = ?", slug));
    assertEquals(0, auditOf("api_product", slug).size());

    error(http.api("POST", PRODUCTS, ADMIN, ADMIN_PASSWORD, "null"), 400, "invalid_request");
    HttpResponse<String> notJson =
        http.send(
            http.request(PRODUCTS)
                .header("Authorization", Http.basic(ADMIN, ADMIN_PASSWORD))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": [")));
    error(notJson, 400, "invalid_json");
  }

  @Test
  void aBadOpenApiDocumentIsRefusedWithAClearMessage() throws Exception {
    String slug = unique("badapi");
    ObjectNode input = product(slug, "Bad API", "/" + slug + "/", "gold");

    input.put("openapi", "swagger: '2.0'\ninfo: {title: Old, version: '1'}\npaths: {}\n");
    String swagger =
        fields(error(admin("POST", PRODUCTS, input), 400, "invalid_request")).get("openapi");
    assertTrue(
        swagger.contains("This is a Swagger 2.0 document; Keyport takes OpenAPI 3.0 or 3.1"),
        swagger);

    input.put("openapi", "{\"openapi\": \"3.0.3\",\n \"info\": }");
    String broken =
        fields(error(admin("POST", PRODUCTS, input), 400, "invalid_request")).get("openapi");
    assertTrue(broken.startsWith("The OpenAPI document is not valid JSON (line 2"), broken);

    input.put("openapi", "openapi: 3.0.3\ninfo:\n  version: '1'\n");
    JsonNode invalid = error(admin("POST", PRODUCTS, input), 400, "invalid_request");
    String missing = fields(invalid).get("openapi");
    assertTrue(missing.contains("info.title") && missing.contains("Fix them"), missing);
    assertEquals(missing, invalid.path("message").asText());
    error(admin("GET", PRODUCTS + "/" + slug, null), 404, "not_found");

    input.put("openapi", YAML_DOCUMENT);
    assertEquals(201, admin("POST", PRODUCTS, input).statusCode());
  }

  @Test
  void aRouteAnotherProductHasIsRefusedNamingThatProduct() throws Exception {
    String first = unique("routes-a");
    String prefix = "/" + first + "/";
    create(product(first, "Route Owner " + first, prefix, "gold"));

    String second = unique("routes-b");
    JsonNode conflict =
        error(
            admin("POST", PRODUCTS, product(second, "Route Taker", prefix, "gold")),
            409,
            "route_conflict");
    String message = conflict.path("message").asText();
    assertTrue(message.contains("'Route Owner " + first + "' (" + first + ")"), message);
    assertTrue(message.contains("path prefix " + prefix), message);
    error(admin("GET", PRODUCTS + "/" + second, null), 404, "not_found");

    // An edit that would take the route is refused the same way.
    JsonNode other = create(product(second, "Route Taker", "/" + second + "/", "gold"));
    ObjectNode edit = (ObjectNode) other.deepCopy();
    edit.withArray("routes").addObject().put("pathPrefix", prefix);
    error(admin("PUT", PRODUCTS + "/" + second, edit), 409, "route_conflict");

    // The same prefix on a named host is another route.
    ObjectNode onHost = product(unique("routes-c"), "Hosted", prefix, "gold");
    ((ObjectNode) onHost.withArray("routes").get(0)).put("host", "Ledger.Example.com");
    JsonNode hosted = create(onHost);
    assertEquals("ledger.example.com", hosted.path("routes").get(0).path("host").asText());

    // And the demo product's route is refused too, by name.
    String demo =
        error(
                admin(
                    "POST", PRODUCTS, product(unique("routes-d"), "Shadow", "/petstore/", "gold")),
                409,
                "route_conflict")
            .path("message")
            .asText();
    assertTrue(demo.contains("'Pet Store' (petstore)"), demo);
  }

  @Test
  void theSlugIsFixedOnceAKeyExists() throws Exception {
    String slug = unique("renamed");
    JsonNode product = create(product(slug, "Renamed", "/" + slug + "/", "unlimited"));

    String renamed = slug + "-2";
    ObjectNode rename = (ObjectNode) product.deepCopy();
    rename.put("id", renamed);
    JsonNode moved = ok(admin("PUT", PRODUCTS + "/" + slug, rename));
    assertEquals(renamed, moved.path("id").asText());
    error(admin("GET", PRODUCTS + "/" + slug, null), 404, "not_found");

    newKey(renamed, "unlimited");
    JsonNode locked = ok(admin("GET", PRODUCTS + "/" + renamed, null));
    assertTrue(locked.path("slugLocked").asBoolean(), locked::toString);
    ObjectNode again = (ObjectNode) locked.deepCopy();
    again.put("id", slug);
    JsonNode refused = error(admin("PUT", PRODUCTS + "/" + renamed, again), 409, "slug_locked");
    assertTrue(
        refused.path("message").asText().contains("1 API key(s) were made"), refused::toString);
    ok(admin("GET", PRODUCTS + "/" + renamed, null));

    // Other fields still change.
    again.put("id", renamed);
    again.put("displayName", "Renamed, but only in words");
    assertEquals(
        "Renamed, but only in words",
        ok(admin("PUT", PRODUCTS + "/" + renamed, again)).path("displayName").asText());

    JsonNode taken =
        error(
            admin("POST", PRODUCTS, product("petstore", "Pets", "/" + slug + "-x/", "gold")),
            409,
            "slug_taken");
    assertTrue(taken.path("message").asText().contains("'Pet Store'"), taken::toString);
  }

  @Test
  void twoAdminsEditingOneProductGetAConflictNotASilentOverwrite() throws Exception {
    String slug = unique("locked");
    JsonNode read = create(product(slug, "Original", "/" + slug + "/", "gold"));

    ObjectNode first = (ObjectNode) read.deepCopy();
    first.put("displayName", "First admin's name");
    JsonNode saved = ok(admin("PUT", PRODUCTS + "/" + slug, first));

    ObjectNode second = (ObjectNode) read.deepCopy();
    second.put("displayName", "Second admin's name");
    JsonNode conflict = error(admin("PUT", PRODUCTS + "/" + slug, second), 409, "version_conflict");
    assertTrue(
        conflict.path("message").asText().contains("Someone else changed"), conflict::toString);
    assertEquals(
        "First admin's name",
        ok(admin("GET", PRODUCTS + "/" + slug, null)).path("displayName").asText());

    // A change to the routes or plans alone moves the version as well.
    ObjectNode plansOnly = (ObjectNode) saved.deepCopy();
    plansOnly.putArray("usagePlans").add("gold").add("bronze");
    JsonNode withPlans = ok(admin("PUT", PRODUCTS + "/" + slug, plansOnly));
    assertTrue(withPlans.path("lockVersion").asLong() > saved.path("lockVersion").asLong());
    error(admin("PUT", PRODUCTS + "/" + slug, saved), 409, "version_conflict");

    ObjectNode unversioned = (ObjectNode) withPlans.deepCopy();
    unversioned.remove("lockVersion");
    assertTrue(
        fields(error(admin("PUT", PRODUCTS + "/" + slug, unversioned), 400, "invalid_request"))
            .containsKey("lockVersion"));
    error(admin("PUT", PRODUCTS + "/no-such-" + slug, withPlans), 404, "not_found");
  }

  @Test
  void retiringAProductRevokesItsKeysAtOnceAndAuditsEachOne() throws Exception {
    String slug = unique("retired");
    create(product(slug, "Retiring", "/" + slug + "/", "unlimited"));
    String first = newKey(slug, "unlimited");
    String second = newKey(slug, "unlimited");
    assertEquals(200, http.check("/" + slug + "/x", first).statusCode());
    assertEquals(200, http.check("/" + slug + "/x", second).statusCode());
    assertEquals(2, ok(admin("GET", PRODUCTS + "/" + slug, null)).path("liveKeys").asLong());

    JsonNode retired = ok(admin("POST", PRODUCTS + "/" + slug + "/retire", null));
    assertEquals(slug, retired.path("id").asText());
    assertEquals(2, retired.path("keysRevoked").asLong());
    assertNotNull(Instant.parse(retired.path("retiredAt").asText()));

    for (String key : List.of(first, second)) {
      HttpResponse<String> refused = http.check("/" + slug + "/x", key);
      assertEquals(401, refused.statusCode(), refused.body());
      assertEquals("invalid_api_key", refused.headers().firstValue("x-keyport-deny").orElse(""));
    }
    assertEquals(
        2,
        count(
            "select count(*) from api_key k join api_product p on p.id = k.product_id"
                + " where p.slug = ? and k.revoked_at is not null",
            slug));
    List<Map<String, String>> revocations =
        rows(
            "select e.actor, e.details from audit_event e join api_key k on k.id::text = e.target_id"
                + " join api_product p on p.id = k.product_id"
                + " where p.slug = ? and e.action = 'api_key.revoked'",
            slug);
    assertEquals(2, revocations.size(), revocations::toString);
    for (Map<String, String> revocation : revocations) {
      assertEquals(ADMIN, revocation.get("actor"));
      JsonNode details = JSON.readTree(revocation.get("details"));
      assertEquals(DEV, details.path("owner").asText());
      assertEquals(slug, details.path("apiProduct").asText());
      assertEquals("product retired", details.path("reason").asText());
    }
    JsonNode retiredEvent = JSON.readTree(auditOf("api_product", slug).get(1).get("details"));
    assertEquals("2", retiredEvent.path("liveKeys").path("before").asText());

    JsonNode keys = ok(http.api("GET", "api/v1/api-keys", DEV, DEV_PASSWORD, null));
    keys.forEach(k -> assertFalse(slug.equals(k.path("apiProduct").asText()), k::toString));
    JsonNode products = ok(http.api("GET", "api/v1/api-products", DEV, DEV_PASSWORD, null));
    products.forEach(p -> assertFalse(slug.equals(p.path("id").asText()), p::toString));
    JsonNode listed = find(ok(admin("GET", PRODUCTS, null)), "id", slug);
    assertEquals("retired", listed.path("status").asText());

    JsonNode read = ok(admin("GET", PRODUCTS + "/" + slug, null));
    error(admin("PUT", PRODUCTS + "/" + slug, read), 409, "retired");
    error(admin("POST", PRODUCTS + "/" + slug + "/retire", null), 409, "retired");
    error(admin("POST", PRODUCTS + "/no-such-" + slug + "/retire", null), 404, "not_found");
    JsonNode reuse =
        error(
            admin("POST", PRODUCTS, product(slug, "Again", "/" + slug + "-again/", "gold")),
            409,
            "slug_taken");
    assertTrue(reuse.path("message").asText().contains("retired"), reuse::toString);
  }

  // ---------------------------------------------------------------------------------------------
  // Usage plans

  @Test
  void plansAreCreatedEditedAndTheirNameIsFixedOnceUsed() throws Exception {
    String name = unique("plan");
    ObjectNode input = plan(name, 10, "HOUR");
    input.put("description", "For the ledger team.");
    input.put("monthlyQuota", 5000);
    input.put("maxKeysPerUser", 2);
    HttpResponse<String> created = admin("POST", PLANS, input);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode plan = JSON.readTree(created.body());
    assertEquals(name, plan.path("name").asText());
    assertEquals(10, plan.path("rateLimit").path("requestsPerUnit").asInt());
    assertEquals("HOUR", plan.path("rateLimit").path("unit").asText());
    assertEquals(5000, plan.path("monthlyQuota").asLong());
    assertEquals(2, plan.path("maxKeysPerUser").asInt());
    assertEquals(plan, ok(admin("GET", PLANS + "/" + name, null)));
    find(ok(admin("GET", PLANS, null)), "name", name);
    find(ok(http.api("GET", "api/v1/usage-plans", DEV, DEV_PASSWORD, null)), "name", name);

    String renamed = name + "-b";
    ObjectNode rename = (ObjectNode) plan.deepCopy();
    rename.put("name", renamed);
    plan = ok(admin("PUT", PLANS + "/" + name, rename));
    assertEquals(renamed, plan.path("name").asText());
    error(admin("GET", PLANS + "/" + name, null), 404, "not_found");

    String slug = unique("planned");
    create(product(slug, "Planned", "/" + slug + "/", renamed));
    newKey(slug, renamed);
    plan = ok(admin("GET", PLANS + "/" + renamed, null));
    assertTrue(plan.path("nameLocked").asBoolean(), plan::toString);
    assertEquals(List.of(slug), texts(plan.path("apiProducts")));
    ObjectNode back = (ObjectNode) plan.deepCopy();
    back.put("name", name);
    JsonNode locked = error(admin("PUT", PLANS + "/" + renamed, back), 409, "name_locked");
    assertTrue(locked.path("message").asText().contains("x-solo-plan"), locked::toString);

    ObjectNode words = (ObjectNode) plan.deepCopy();
    words.put("displayName", "Ledger team");
    words.putNull("monthlyQuota");
    JsonNode edited = ok(admin("PUT", PLANS + "/" + renamed, words));
    assertEquals("Ledger team", edited.path("displayName").asText());
    assertTrue(edited.path("monthlyQuota").isNull(), edited::toString);
    error(admin("PUT", PLANS + "/" + renamed, plan), 409, "version_conflict");

    List<Map<String, String>> events = auditOf("usage_plan", renamed);
    assertEquals(
        List.of("usage_plan.updated", "usage_plan.updated"),
        events.stream().map(e -> e.get("action")).toList());
    JsonNode lastChange = JSON.readTree(events.get(1).get("details"));
    assertEquals(Set.of("displayName", "monthlyQuota"), fieldNames(lastChange));
    assertEquals("5000", lastChange.path("monthlyQuota").path("before").asText());
    assertEquals("", lastChange.path("monthlyQuota").path("after").asText());
    assertEquals(
        List.of("usage_plan.created"),
        auditOf("usage_plan", name).stream().map(e -> e.get("action")).toList());

    error(admin("POST", PLANS, plan("gold", 1, "SECOND")), 409, "name_taken");
  }

  @Test
  void invalidPlansAreRefusedFieldByField() throws Exception {
    String name = unique("badplan");
    ObjectNode input = JSON.createObjectNode();
    input.put("name", "Bad Plan");
    input.putObject("rateLimit").put("requestsPerUnit", 0).put("unit", "WEEK");
    input.put("monthlyQuota", 0);
    input.put("maxKeysPerUser", -1);
    JsonNode error = error(admin("POST", PLANS, input), 400, "invalid_request");
    assertEquals(
        Set.of(
            "name",
            "displayName",
            "rateLimit.unit",
            "rateLimit.requestsPerUnit",
            "monthlyQuota",
            "maxKeysPerUser"),
        fields(error).keySet(),
        error::toString);
    assertTrue(fields(error).get("rateLimit.unit").contains("pick SECOND, MINUTE, HOUR or DAY"));

    ObjectNode noUnit = plan(name, 5, null);
    ((ObjectNode) noUnit.get("rateLimit")).remove("unit");
    assertTrue(
        fields(error(admin("POST", PLANS, noUnit), 400, "invalid_request"))
            .get("rateLimit.unit")
            .contains("the 5 requests count over"));
    error(admin("GET", PLANS + "/" + name, null), 404, "not_found");
  }

  @Test
  void aPlanLimitChangeIsEnforcedOnTheNextCheck() throws Exception {
    String name = unique("limit");
    JsonNode plan = ok201(admin("POST", PLANS, plan(name, 2, "MINUTE")));
    String slug = unique("limited");
    create(product(slug, "Limited", "/" + slug + "/", name));
    String key = newKey(slug, name);
    String path = "/" + slug + "/entries";

    assertEquals(200, http.check(path, key).statusCode());
    assertEquals(200, http.check(path, key).statusCode());
    HttpResponse<String> refused = http.check(path, key);
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("2", refused.headers().firstValue("RateLimit-Limit").orElse(""));

    ObjectNode raised = (ObjectNode) plan.deepCopy();
    ((ObjectNode) raised.get("rateLimit")).put("requestsPerUnit", 50);
    plan = ok(admin("PUT", PLANS + "/" + name, raised));
    HttpResponse<String> admitted = untilLimitIs(path, key, "50");
    assertEquals(200, admitted.statusCode(), admitted.body());
    assertEquals(name, admitted.headers().firstValue("x-solo-plan").orElse(""));

    ObjectNode unlimited = (ObjectNode) plan.deepCopy();
    unlimited.putNull("rateLimit");
    ok(admin("PUT", PLANS + "/" + name, unlimited));
    HttpResponse<String> free = untilLimitIs(path, key, null);
    assertEquals(200, free.statusCode(), free.body());
  }

  /**
   * Checks until the answer carries the expected RateLimit-Limit (null: none). The commit's
   * notification reaches the check within milliseconds; the deadline only guards a hang.
   */
  private HttpResponse<String> untilLimitIs(String path, String key, String limit)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    HttpResponse<String> answer = http.check(path, key);
    while (!java.util.Objects.equals(
            limit, answer.headers().firstValue("RateLimit-Limit").orElse(null))
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
      answer = http.check(path, key);
    }
    assertEquals(
        limit, answer.headers().firstValue("RateLimit-Limit").orElse(null), "after the change");
    return answer;
  }

  // ---------------------------------------------------------------------------------------------
  // Who may

  @Test
  void aDeveloperIsRefusedEveryAdminCall() throws Exception {
    String slug = unique("guarded");
    JsonNode product = create(product(slug, "Guarded", "/" + slug + "/", "gold"));
    String name = unique("guarded-plan");
    JsonNode plan = ok201(admin("POST", PLANS, plan(name, 3, "MINUTE")));

    Map<String, String[]> calls = new LinkedHashMap<>();
    calls.put("list products", new String[] {"GET", PRODUCTS, null});
    calls.put("read product", new String[] {"GET", PRODUCTS + "/" + slug, null});
    calls.put(
        "create product",
        new String[] {
          "POST",
          PRODUCTS,
          product(unique("sneaky"), "Sneaky", "/sneaky-" + slug + "/", "gold").toString()
        });
    calls.put("edit product", new String[] {"PUT", PRODUCTS + "/" + slug, product.toString()});
    calls.put("retire product", new String[] {"POST", PRODUCTS + "/" + slug + "/retire", null});
    calls.put("list plans", new String[] {"GET", PLANS, null});
    calls.put("read plan", new String[] {"GET", PLANS + "/" + name, null});
    calls.put(
        "create plan",
        new String[] {"POST", PLANS, plan(unique("sneaky"), 1, "SECOND").toString()});
    calls.put("edit plan", new String[] {"PUT", PLANS + "/" + name, plan.toString()});
    for (Map.Entry<String, String[]> call : calls.entrySet()) {
      String[] c = call.getValue();
      HttpResponse<String> refused = http.api(c[0], c[1], DEV, DEV_PASSWORD, c[2]);
      assertEquals(403, refused.statusCode(), call.getKey() + ": " + refused.body());
      JsonNode body = JSON.readTree(refused.body());
      assertEquals("forbidden", body.path("error").asText(), call.getKey());
      assertTrue(body.path("message").asText().contains("admin role"), call.getKey());
    }
    assertEquals(product, ok(admin("GET", PRODUCTS + "/" + slug, null)));
    assertEquals(plan, ok(admin("GET", PLANS + "/" + name, null)));
    assertEquals(0, count("select count(*) from api_product where display_name = 'Sneaky'"));
  }

  @Test
  void everyAdminPageAnswers403ToADeveloperAndOpensForAnAdmin() throws Exception {
    String slug = unique("paged");
    create(product(slug, "Paged Product", "/" + slug + "/", "gold"));
    Map<String, String> pages = new LinkedHashMap<>();
    pages.put("admin/products.xhtml", "Manage API products");
    pages.put("admin/product.xhtml", "New API product");
    pages.put("admin/product.xhtml?slug=" + slug, "Paged Product");
    pages.put("admin/plans.xhtml", "Manage usage plans");
    pages.put("admin/plan.xhtml", "New usage plan");
    pages.put("admin/plan.xhtml?name=gold", "Gold");
    for (Map.Entry<String, String> page : pages.entrySet()) {
      HttpResponse<String> refused = page(page.getKey(), DEV, DEV_PASSWORD);
      assertEquals(403, refused.statusCode(), page.getKey());
      assertTrue(refused.body().contains("Not allowed"), page.getKey() + ": " + refused.body());
      assertFalse(refused.body().contains(page.getValue()), page.getKey());

      HttpResponse<String> shown = page(page.getKey(), ADMIN, ADMIN_PASSWORD);
      assertEquals(200, shown.statusCode(), page.getKey());
      assertTrue(shown.body().contains(page.getValue()), page.getKey() + ": " + shown.body());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The developer's product page

  @Test
  void theProductPageShowsRoutesPlansAndTheApiReferenceFromTheWar() throws Exception {
    String slug = unique("detailed");
    ObjectNode input = product(slug, "Detailed Ledger", "/" + slug + "/", "gold", "unlimited");
    input.put("description", "Entries, accounts and balances.");
    input.put("openapi", YAML_DOCUMENT);
    ((ObjectNode) input.withArray("routes").get(0))
        .put("host", "ledger.example.com")
        .putArray("methods")
        .add("GET");
    create(input);

    HttpResponse<String> page = page("portal/product.xhtml?slug=" + slug, DEV, DEV_PASSWORD);
    assertEquals(200, page.statusCode());
    String html = page.body();
    for (String expected :
        List.of(
            "Detailed Ledger",
            "Entries, accounts and balances.",
            "ledger.example.com",
            "/" + slug + "/",
            "5 requests per minute",
            "No rate limit",
            "data-schema=\"/api/v1/api-products/" + slug + "/schema\"")) {
      assertTrue(html.contains(expected), () -> "missing " + expected + " in " + html);
    }
    Matcher script = Pattern.compile("src=\"([^\"]*swagger-ui-bundle\\.js[^\"]*)\"").matcher(html);
    assertTrue(script.find(), "no Swagger UI script on the page");
    String src = script.group(1).replace("&amp;", "&");
    assertFalse(src.startsWith("http"), "Swagger UI must come from the WAR, not " + src);
    HttpResponse<String> bundle = signedIn(DEV, DEV_PASSWORD).send(http.request(src).GET());
    assertEquals(200, bundle.statusCode(), src);
    assertTrue(bundle.body().contains("SwaggerUIBundle"), "not the Swagger UI bundle: " + src);

    HttpResponse<String> products = page("portal/products.xhtml", DEV, DEV_PASSWORD);
    assertTrue(products.body().contains("product.xhtml?slug=" + slug), "no link to the page");

    HttpResponse<String> missing =
        page("portal/product.xhtml?slug=no-such-" + slug, DEV, DEV_PASSWORD);
    assertEquals(200, missing.statusCode());
    assertTrue(missing.body().contains("There is no such API product"), missing.body());
  }

  @Test
  void theApiDescriptionCoversTheAdminCalls() {
    HttpResponse<String> openapi = http.send(http.request("openapi").GET());
    assertEquals(200, openapi.statusCode());
    for (String path :
        List.of(
            "/api/v1/admin/api-products",
            "/api/v1/admin/api-products/{id}",
            "/api/v1/admin/api-products/{id}/retire",
            "/api/v1/admin/usage-plans",
            "/api/v1/admin/usage-plans/{name}")) {
      assertTrue(openapi.body().contains(path + ":"), () -> "no " + path + " in /openapi");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // In a browser: the editor and the product page, with screenshots for people to look at

  @Test
  void anAdminMakesAndRetiresAProductInTheEditorAndItsPageShowsTheApiReference() throws Exception {
    try (Chromium chromium = Chromium.start(1366, 1000)) {
      try {
        walkTheEditor(chromium);
      } catch (AssertionError | RuntimeException failure) {
        chromium.keepEvidence("admin-failure");
        throw failure;
      }
    }
  }

  private void walkTheEditor(Chromium chromium) throws Exception {
    WebDriver browser = chromium.browser();
    WebDriverWait wait = chromium.waiting();
    String slug = unique("browser");
    String name = "Ledger " + slug.substring(slug.length() - 8);

    browser.get(http.uri("login.xhtml").toString());
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login:username")))
        .sendKeys(ADMIN);
    browser.findElement(By.id("login:password")).sendKeys(ADMIN_PASSWORD);
    WebElement submit = browser.findElement(By.id("login:submit"));
    submit.click();
    Chromium.left(wait, submit);

    // The list, then a new product whose route another product has: refused at the field.
    browser.get(http.uri("admin/products.xhtml").toString());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Manage API products"));
    chromium.fullPageScreenshot("admin-products.png", 4000);
    browser.findElement(By.id("newProduct")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "New API product"));
    browser.findElement(By.id("editor:displayName")).sendKeys(name);
    browser.findElement(By.id("editor:slug")).sendKeys(slug);
    browser.findElement(By.id("editor:version")).sendKeys("3.1.0");
    browser
        .findElement(By.id("editor:description"))
        .sendKeys("Entries, accounts and balances of the ledger.");
    browser.findElement(By.id("editor:routes:0:pathPrefix")).sendKeys("/petstore/");
    browser.findElement(By.xpath("//label[contains(., '(gold)')]")).click();
    browser.findElement(By.xpath("//label[contains(., '(unlimited)')]")).click();
    // The document comes in through the file input, read in the browser into the text area.
    Path upload = Files.createTempFile("ledger-", ".yaml");
    Files.writeString(upload, YAML_DOCUMENT);
    browser.findElement(By.id("openapiFile")).sendKeys(upload.toString());
    wait.until(
        driver ->
            driver
                .findElement(By.id("editor:openapi"))
                .getAttribute("value")
                .contains("Ledger API"));
    Files.delete(upload);
    browser.findElement(By.id("editor:save")).click();
    WebElement conflict =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.xpath(
                    "//*[@id='editor:routes:0:pathPrefix']/ancestor::td[1]"
                        + "//*[contains(@class,'ui-message-error')]")));
    assertTrue(conflict.getText().contains("'Pet Store' (petstore)"), conflict.getText());
    chromium.fullPageScreenshot("admin-product-errors.png", 4000);

    // Fixed, checked and saved: the editor comes back with the product and a confirmation.
    WebElement prefix = browser.findElement(By.id("editor:routes:0:pathPrefix"));
    prefix.clear();
    prefix.sendKeys("/" + slug + "/");
    browser.findElement(By.id("editor:checkDocument")).click();
    WebElement summary =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("editor:documentSummary")));
    assertTrue(summary.getText().contains("Ledger API"), summary.getText());
    browser.findElement(By.id("editor:save")).click();
    wait.until(ExpectedConditions.urlContains("slug=" + slug));
    WebElement saved =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//*[contains(@class,'ui-growl-message')][contains(., 'is created')]")));
    assertTrue(saved.getText().contains(name), saved.getText());
    JsonNode stored = ok(admin("GET", PRODUCTS + "/" + slug, null));
    assertEquals(List.of("gold", "unlimited"), texts(stored.path("usagePlans")));
    assertEquals("/" + slug + "/", stored.path("routes").get(0).path("pathPrefix").asText());
    chromium.fullPageScreenshot("admin-product-editor.png", 4000);

    // Another admin saves first: this editor's save is refused, with a way to the current version.
    ObjectNode meanwhile = (ObjectNode) stored.deepCopy();
    meanwhile.put("version", "3.2.0");
    ok(admin("PUT", PRODUCTS + "/" + slug, meanwhile));
    WebElement description = browser.findElement(By.id("editor:description"));
    description.sendKeys(" Now with balances per day.");
    browser.findElement(By.id("editor:save")).click();
    WebElement refusal =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[id='editor:messages'] .ui-messages-error")));
    assertTrue(
        refusal.getText().contains("Another administrator saved this product"), refusal.getText());
    assertEquals("3.2.0", ok(admin("GET", PRODUCTS + "/" + slug, null)).path("version").asText());
    chromium.fullPageScreenshot("admin-product-conflict.png", 4000);
    browser.findElement(By.xpath("//a[normalize-space()='Load the current version']")).click();
    wait.until(
        driver ->
            "3.2.0".equals(driver.findElement(By.id("editor:version")).getAttribute("value")));

    // A plan made in the plan editor.
    String planName = unique("tier");
    browser.get(http.uri("admin/plan.xhtml").toString());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "New usage plan"));
    browser.findElement(By.id("planForm:displayName")).sendKeys("Team tier");
    browser.findElement(By.id("planForm:name")).sendKeys(planName);
    browser.findElement(By.id("planForm:requests_input")).sendKeys("120");
    browser.findElement(By.id("planForm:maxKeys_input")).sendKeys("3");
    chromium.fullPageScreenshot("admin-plan-editor.png", 4000);
    browser.findElement(By.id("planForm:save")).click();
    wait.until(ExpectedConditions.urlContains("/admin/plans.xhtml"));
    wait.until(
        ExpectedConditions.visibilityOfElementLocated(
            By.xpath("//*[contains(@class,'ui-growl-message')][contains(., 'Team tier')]")));
    JsonNode tier = ok(admin("GET", PLANS + "/" + planName, null));
    assertEquals(120, tier.path("rateLimit").path("requestsPerUnit").asInt(), tier::toString);
    assertEquals("MINUTE", tier.path("rateLimit").path("unit").asText(), tier::toString);
    assertEquals(3, tier.path("maxKeysPerUser").asInt(), tier::toString);
    chromium.fullPageScreenshot("admin-plans.png", 4000);

    // The developer's page renders the document with Swagger UI from the WAR.
    browser.get(http.uri("portal/product.xhtml?slug=" + slug).toString());
    wait.until(ExpectedConditions.textToBe(By.id("productName"), name));
    WebElement operation =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".swagger-ui .opblock-summary-path")));
    assertEquals("/entries", operation.getText().trim());
    chromium.fullPageScreenshot("product-details.png", 4000);

    // Retiring asks first, then takes the product off the catalogue.
    browser.get(http.uri("admin/product.xhtml?slug=" + slug).toString());
    wait.until(ExpectedConditions.elementToBeClickable(By.id("editor:retire"))).click();
    WebElement question =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("editor:confirmRetire")));
    assertTrue(
        question
            .getText()
            .contains(
                "Retire \u201c" + name + "\u201d? It leaves the catalogue; it has no live keys."),
        question.getText());
    chromium.fullPageScreenshot("admin-product-retire.png", 4000);
    browser.findElement(By.id("editor:confirmYes")).click();
    wait.until(ExpectedConditions.urlContains("/admin/products.xhtml"));
    wait.until(
        ExpectedConditions.visibilityOfElementLocated(
            By.xpath("//*[contains(@class,'ui-growl-message')][contains(., 'is retired')]")));
    assertEquals("retired", ok(admin("GET", PRODUCTS + "/" + slug, null)).path("status").asText());
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ObjectNode product(
      String slug, String displayName, String prefix, String... plans) {
    ObjectNode input = JSON.createObjectNode();
    input.put("id", slug);
    input.put("displayName", displayName);
    input.putArray("routes").addObject().put("pathPrefix", prefix);
    ArrayNode offered = input.putArray("usagePlans");
    for (String plan : plans) {
      offered.add(plan);
    }
    return input;
  }

  private static ObjectNode plan(String name, Integer requests, String unit) {
    ObjectNode input = JSON.createObjectNode();
    input.put("name", name);
    input.put("displayName", "Plan " + name);
    ObjectNode limit = input.putObject("rateLimit");
    limit.put("requestsPerUnit", requests);
    if (unit != null) {
      limit.put("unit", unit);
    }
    return input;
  }

  private JsonNode create(ObjectNode product) throws Exception {
    return ok201(admin("POST", PRODUCTS, product));
  }

  private static JsonNode ok201(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  /** A new key of dev's for the product and plan; its value. */
  private String newKey(String product, String plan) throws Exception {
    ObjectNode request = JSON.createObjectNode();
    request.put("apiKeyName", unique("admin-it"));
    request.put("apiProduct", product);
    request.put("usagePlan", plan);
    HttpResponse<String> created =
        http.api("POST", "api/v1/api-keys", DEV, DEV_PASSWORD, request.toString());
    return ok201(created).path("apiKey").asText();
  }

  private HttpResponse<String> admin(String method, String path, JsonNode body) {
    return http.api(method, path, ADMIN, ADMIN_PASSWORD, body == null ? null : body.toString());
  }

  /** A page as the user sees it, signed in through the login page (pages take no Basic). */
  private HttpResponse<String> page(String path, String username, String password) {
    try {
      return signedIn(username, password).page(path);
    } catch (Exception e) {
      throw new AssertionError(path, e);
    }
  }

  private final Map<String, FormBrowser> browsers = new HashMap<>();

  private FormBrowser signedIn(String username, String password) throws Exception {
    FormBrowser browser = browsers.get(username);
    if (browser == null) {
      browser = new FormBrowser(base);
      assertNotNull(browser.signIn(username, password), browser.lastBody);
      browsers.put(username, browser);
    }
    return browser;
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        response.headers()::toString);
    return JSON.readTree(response.body());
  }

  /** {"error","message"} and, for refused input, "fields"; returns the body. */
  private static JsonNode error(HttpResponse<String> response, int status, String error)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(error, body.path("error").asText(), response.body());
    String message = body.path("message").asText();
    assertFalse(message.isBlank(), response.body());
    Set<String> names = fieldNames(body);
    names.remove("fields");
    assertEquals(Set.of("error", "message"), names, response.body());
    return body;
  }

  private static Map<String, String> fields(JsonNode error) {
    Map<String, String> fields = new LinkedHashMap<>();
    error
        .path("fields")
        .fields()
        .forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
    assertFalse(fields.isEmpty(), () -> "no fields in " + error);
    return fields;
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode item : array) {
      if (value.equals(item.path(field).asText())) {
        return item;
      }
    }
    throw new AssertionError("no " + field + " " + value + " in " + array);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Map<String, String>> auditOf(String type, String id) {
    return rows(
        "select action, actor, details from audit_event where target_type = ? and target_id = ?"
            + " order by id",
        type,
        id);
  }
}
