package io.keyport.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.catalog.ProductDraft.RouteDraft;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogRulesTest {

  private static ProductDraft product(String slug, RouteDraft... routes) {
    return new ProductDraft(
        slug, "Payments API", null, "1.0", Arrays.asList(routes), List.of("gold"), null, null);
  }

  private static RouteDraft route(String host, String prefix, String... methods) {
    return new RouteDraft(host, prefix, List.of(methods));
  }

  @Test
  void aGoodProductComesBackTrimmedAndNormalised() {
    Map<String, String> errors = new LinkedHashMap<>();
    ProductDraft clean =
        CatalogRules.product(
            new ProductDraft(
                "  payments-api ",
                " Payments API ",
                "  ",
                " 2.0 ",
                List.of(route(" API.Example.com ", " /pay/ ", "post", " get", "GET")),
                List.of(" gold", "gold", "", "silver"),
                "\n",
                Map.of(" category ", " payments ")),
            errors);
    assertEquals(Map.of(), errors);
    assertEquals("payments-api", clean.slug());
    assertEquals("Payments API", clean.displayName());
    assertNull(clean.description());
    assertEquals("2.0", clean.version());
    assertEquals(List.of(route("api.example.com", "/pay/", "GET", "POST")), clean.routes());
    assertEquals(List.of("gold", "silver"), clean.plans());
    assertNull(clean.openapi());
    assertEquals(Map.of("category", "payments"), clean.metadata());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Payments", "-pay", "pay-", "pay_api", "pay api", "ü"})
  void slugsAreLowercaseLettersDigitsAndInnerHyphens(String slug) {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(product(slug, route(null, "/x/")), errors);
    assertTrue(
        errors.get("slug").contains("lowercase letters, digits and hyphens"), errors::toString);
  }

  @Test
  void aSlugOf65CharactersIsTooLong() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(product("a".repeat(65), route(null, "/x/")), errors);
    assertTrue(errors.containsKey("slug"), errors::toString);
    errors.clear();
    CatalogRules.product(product("a".repeat(64), route(null, "/x/")), errors);
    assertEquals(Map.of(), errors);
  }

  @Test
  void everyMissingRequiredFieldIsReportedAtOnce() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(new ProductDraft(null, " ", null, null, null, null, null, null), errors);
    assertEquals(List.of("slug", "displayName", "routes"), List.copyOf(errors.keySet()));
    assertTrue(errors.get("routes").contains("Add at least one route"), errors::toString);
  }

  @Test
  void routeProblemsAreReportedAtTheRowAndField() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(
        product(
            "pay",
            route(null, "/ok/"),
            route("api.example.com:8443", "pay/"),
            route("bad host!", "/a/../b/", "FETCH"),
            route(null, "/ok/"),
            route(null, "/sp ace/"),
            new RouteDraft(null, null, null)),
        errors);
    assertTrue(errors.get("routes[1].host").contains("no scheme, port or path"), errors::toString);
    assertTrue(errors.get("routes[1].pathPrefix").contains("Start the path prefix with /"));
    assertTrue(errors.get("routes[2].host").contains("is not a host name"));
    assertTrue(errors.get("routes[2].pathPrefix").contains(". or .. segments"));
    assertTrue(errors.get("routes[2].methods").contains("'FETCH' is not an HTTP method"));
    assertTrue(errors.get("routes[3].pathPrefix").contains("same host and path prefix as route 1"));
    assertTrue(errors.get("routes[4].pathPrefix").contains("without spaces"));
    assertTrue(errors.get("routes[5].pathPrefix").contains("Enter a path prefix"));
    assertEquals(8, errors.size(), errors::toString);
  }

  @Test
  void theSamePrefixOnAnotherHostIsAnotherRoute() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(
        product("pay", route(null, "/pay/"), route("api.example.com", "/pay/")), errors);
    assertEquals(Map.of(), errors);
  }

  @Test
  void textFieldsHaveTheirLengthLimits() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.product(
        new ProductDraft(
            "pay",
            "n".repeat(201),
            "d".repeat(4001),
            "v".repeat(65),
            List.of(route(null, "/p/")),
            List.of(),
            null,
            null),
        errors);
    assertEquals(List.of("displayName", "description", "version"), List.copyOf(errors.keySet()));
  }

  @Test
  void aGoodPlanComesBackWithItsUnitNamed() {
    Map<String, String> errors = new LinkedHashMap<>();
    PlanDraft clean =
        CatalogRules.plan(
            new PlanDraft(" team-plus ", " Team plus ", null, 100, " minute ", 50_000L, 3), errors);
    assertEquals(Map.of(), errors);
    assertEquals(new PlanDraft("team-plus", "Team plus", null, 100, "MINUTE", 50_000L, 3), clean);
  }

  @Test
  void aPlanWithoutLimitsIsUnlimited() {
    Map<String, String> errors = new LinkedHashMap<>();
    PlanDraft clean =
        CatalogRules.plan(new PlanDraft("free", "Free", null, null, null, null, null), errors);
    assertEquals(Map.of(), errors);
    assertNull(clean.requestsPerUnit());
    assertNull(clean.unit());
  }

  @Test
  void planLimitsAreCheckedFieldByField() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.plan(new PlanDraft("Gold!", null, null, 0, "WEEK", 0L, 0), errors);
    assertEquals(
        List.of(
            "name",
            "displayName",
            "rateLimit.unit",
            "rateLimit.requestsPerUnit",
            "monthlyQuota",
            "maxKeysPerUser"),
        List.copyOf(errors.keySet()));
    assertTrue(errors.get("rateLimit.unit").contains("pick SECOND, MINUTE, HOUR or DAY"));
  }

  @Test
  void aRateNeedsBothItsCountAndItsUnit() {
    Map<String, String> errors = new LinkedHashMap<>();
    CatalogRules.plan(new PlanDraft("a", "A", null, 5, null, null, null), errors);
    assertTrue(
        errors.get("rateLimit.unit").contains("the 5 requests count over"), errors::toString);
    errors.clear();
    CatalogRules.plan(new PlanDraft("a", "A", null, null, "HOUR", null, null), errors);
    assertTrue(
        errors.get("rateLimit.requestsPerUnit").contains("requests per hour"), errors::toString);
  }

  @Test
  void metadataIsTrimmedSortedAndChecked() {
    Map<String, String> errors = new LinkedHashMap<>();
    assertEquals(
        List.of("a", "category"),
        List.copyOf(
            CatalogRules.metadata(Map.of("category", " payments ", "a", "1"), errors).keySet()));
    assertEquals(Map.of(), errors);
    CatalogRules.metadata(Map.of("bad name", "x"), errors);
    assertTrue(errors.get("metadata").contains("Metadata names"), errors::toString);
    errors.clear();
    CatalogRules.metadata(Map.of("team", " "), errors);
    assertTrue(errors.get("metadata").contains("'team' must be 1 to 1000"), errors::toString);
    errors.clear();
    Map<String, String> many = new java.util.HashMap<>();
    for (int i = 0; i <= CatalogRules.MAX_METADATA_ENTRIES; i++) {
      many.put("k" + i, "v");
    }
    CatalogRules.metadata(many, errors);
    assertTrue(errors.get("metadata").contains("at most 20"), errors::toString);
  }
}
