package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.catalog.LiveCatalog;
import io.keyport.catalog.RouteTable;
import io.keyport.keys.KeyFormat;
import io.keyport.keys.LiveKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decision after lookup: expiry, product, route and metadata headers. */
class AuthCheckTest {

  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final UUID ID = UUID.randomUUID();

  private final AuthCheck check =
      AuthCheck.configured("api-key", "x-team=team,x-tier=tier:required");
  private final LiveCatalog.Snapshot catalog =
      new LiveCatalog.Snapshot(
          Map.of("petstore", Set.of("gold"), "tracks", Set.of("gold")),
          new RouteTable(
              List.of(
                  new RouteTable.Rule("petstore", null, "/petstore/", Set.of()),
                  new RouteTable.Rule("tracks", null, "/trackapi/", Set.of()))),
          Map.of());

  @Test
  void aValidKeyOnItsProductsRouteIsAdmittedWithThePlanAndMetadataHeaders() {
    Verdict verdict =
        admit(key("petstore", null, Map.of("team", "blue", "tier", "t1")), "/petstore/pets");
    assertTrue(verdict.allowed());
    assertEquals(
        Map.of(
            "x-solo-plan", "gold",
            "x-user-id", "dev@example.com",
            "x-api-key-id", ID.toString(),
            "x-api-product", "petstore",
            "x-team", "blue",
            "x-tier", "t1"),
        verdict.headers());
    assertEquals("", verdict.body());
  }

  @Test
  void anotherProductsRouteIsForbidden() {
    Verdict verdict = admit(key("petstore", null, Map.of("tier", "t")), "/trackapi/tracks");
    assertEquals(403, verdict.status());
    assertEquals("{\"error\":\"route_not_allowed\"}", verdict.body());
  }

  @Test
  void aPathThatClimbsOutOfTheProductIsForbidden() {
    assertEquals(
        403, admit(key("petstore", null, Map.of("tier", "t")), "/petstore/../trackapi/x").status());
    assertEquals(403, admit(key("petstore", null, Map.of("tier", "t")), "/nowhere").status());
    assertEquals(403, admit(key("petstore", null, Map.of("tier", "t")), "/petstore/%zz").status());
  }

  @Test
  void unknownExpiredOrRetiredProductKeysAreInvalid() {
    assertInvalid(check.admit(Optional.empty(), catalog, request("/petstore/"), NOW));
    assertInvalid(admit(key("petstore", NOW, Map.of("tier", "t")), "/petstore/"));
    assertInvalid(admit(key("retired", null, Map.of("tier", "t")), "/petstore/"));
  }

  @Test
  void aKeyWithoutARequiredMetadataEntryIsInvalidAnOptionalOneIsJustLeftOut() {
    assertInvalid(admit(key("petstore", null, Map.of("team", "blue")), "/petstore/"));
    Verdict withoutTeam = admit(key("petstore", null, Map.of("tier", "t")), "/petstore/");
    assertTrue(withoutTeam.allowed());
    assertFalse(withoutTeam.headers().containsKey("x-team"));
  }

  @Test
  void metadataWithLineBreaksNeverBecomesAHeader() {
    Verdict verdict =
        admit(
            key("petstore", null, Map.of("tier", "t", "team", "a\r\nx-solo-plan: free")),
            "/petstore/");
    assertTrue(verdict.allowed());
    assertFalse(verdict.headers().containsKey("x-team"));
    assertEquals("gold", verdict.headers().get("x-solo-plan"));
  }

  private final AuthCheck plain = AuthCheck.configured("api-key", null);
  private final LiveCatalog.Snapshot nested =
      new LiveCatalog.Snapshot(
          Map.of("outer", Set.of("gold"), "inner", Set.of("gold")),
          new RouteTable(
              List.of(
                  new RouteTable.Rule("outer", null, "/api/", Set.of()),
                  new RouteTable.Rule("inner", null, "/api/v2/", Set.of()))),
          Map.of());

  /**
   * Issue 12 item 1: a key of the product on /api/ must not reach the nested product on /api/v2/ by
   * a spelling that Tomcat, Spring or Jetty (;x) or IIS ({@code \}) serve as /api/v2/.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/v2/secret",
        "/api/v2;x/secret",
        "/api/v2\\secret",
        "/api/v2%5Csecret",
        "/api/v2%2Fsecret",
        "/api/v2;/secret",
        "/api//v2/secret",
        "/api/x/%2e%2e/v2/secret",
        "/api/v2./secret",
        "/api/v2",
        "/api/v2?x=1",
        "http://example.com/api/v2/secret"
      })
  void aKeyOfTheOuterProductNeverPassesOnTheNestedOnesRoutes(String path) {
    Verdict verdict = nested(plain, "outer", path);
    assertEquals(403, verdict.status(), path);
    assertEquals("route_not_allowed", verdict.error(), path);
  }

  @Test
  void theOuterKeyStillPassesOnItsOwnRoutesAndTheInnerKeyOnItsOwn() {
    assertTrue(nested(plain, "outer", "/api/v1/x").allowed());
    assertTrue(nested(plain, "inner", "/api/v2/secret").allowed());
    assertEquals(403, nested(plain, "inner", "/api/v2;x/secret").status());
  }

  @Test
  void caseInsensitiveRoutesKeepTheOuterKeyOffTheNestedProductInAnyCase() {
    AuthCheck ignoringCase = AuthCheck.configured("api-key", null, true);
    assertEquals(403, nested(ignoringCase, "outer", "/API/V2/secret").status());
    assertTrue(nested(ignoringCase, "inner", "/Api/V2/secret").allowed());
    assertTrue(nested(ignoringCase, "outer", "/API/v1/").allowed());
    // Without the setting an upper-case path is outer's, as an upstream that keeps case reads it.
    AuthCheck keepingCase = AuthCheck.configured("api-key", null, false);
    assertEquals(403, nested(keepingCase, "outer", "/API/V2/secret").status());
    assertTrue(nested(keepingCase, "outer", "/api/V2/secret").allowed());
  }

  private Verdict nested(AuthCheck check, String product, String path) {
    return check.admit(
        Optional.of(new LiveKey(ID, "dev@example.com", product, "gold", null, Map.of())),
        nested,
        request(path),
        NOW);
  }

  @Test
  void aPlanWideKeyPassesOnEveryLiveProductThatOffersItsPlanAndNamesTheOneItReached() {
    LiveCatalog.Snapshot offered =
        new LiveCatalog.Snapshot(
            Map.of("petstore", Set.of("gold"), "tracks", Set.of("gold"), "weather", Set.of("free")),
            new RouteTable(
                List.of(
                    new RouteTable.Rule("petstore", null, "/petstore/", Set.of()),
                    new RouteTable.Rule("tracks", null, "/trackapi/", Set.of()),
                    new RouteTable.Rule("weather", null, "/weather/", Set.of()))),
            Map.of());
    LiveKey planWide = key(null, null, Map.of("tier", "t"));
    Verdict pets = check.admit(Optional.of(planWide), offered, request("/petstore/pets"), NOW);
    Verdict tracks = check.admit(Optional.of(planWide), offered, request("/trackapi/t"), NOW);
    assertTrue(pets.allowed());
    assertEquals("petstore", pets.headers().get("x-api-product"));
    assertTrue(tracks.allowed());
    assertEquals("tracks", tracks.headers().get("x-api-product"));
    assertEquals(
        "route_not_allowed",
        check.admit(Optional.of(planWide), offered, request("/weather/now"), NOW).error());
    assertEquals(
        "route_not_allowed",
        check.admit(Optional.of(planWide), offered, request("/nowhere"), NOW).error());
  }

  @Test
  void aPlanWideKeyLosesAProductAsSoonAsTheCatalogueWithdrawsThePlanOrRetiresIt() {
    LiveKey planWide = key(null, null, Map.of("tier", "t"));
    LiveCatalog.Snapshot withdrawn =
        new LiveCatalog.Snapshot(
            Map.of("petstore", Set.of("silver"), "tracks", Set.of("gold")),
            catalog.routes(),
            Map.of());
    assertEquals(
        403, check.admit(Optional.of(planWide), withdrawn, request("/petstore/"), NOW).status());
    assertTrue(check.admit(Optional.of(planWide), withdrawn, request("/trackapi/"), NOW).allowed());
    // Retired: the product and its routes are gone from the snapshot.
    LiveCatalog.Snapshot retired =
        new LiveCatalog.Snapshot(
            Map.of("tracks", Set.of("gold")),
            new RouteTable(List.of(new RouteTable.Rule("tracks", null, "/trackapi/", Set.of()))),
            Map.of());
    assertEquals(
        403, check.admit(Optional.of(planWide), retired, request("/petstore/"), NOW).status());
    assertInvalid(
        check.admit(
            Optional.of(key(null, NOW, Map.of("tier", "t"))), catalog, request("/petstore/"), NOW));
  }

  @Test
  void aKeyWithAnIpAllowlistIsRefusedFromElsewhereWithIpNotAllowed() {
    LiveKey listed =
        new LiveKey(
            ID,
            "dev@example.com",
            "petstore",
            "gold",
            null,
            Map.of("tier", "t"),
            List.of(io.keyport.keys.AddressRange.parse("203.0.113.0/24")));
    assertTrue(
        check
            .admit(
                Optional.of(listed),
                catalog,
                new CheckRequest("GET", "/petstore/", "h", "kp_x", "203.0.113.8"),
                NOW)
            .allowed());
    Verdict elsewhere =
        check.admit(
            Optional.of(listed),
            catalog,
            new CheckRequest("GET", "/petstore/", "h", "kp_x", "198.51.100.1"),
            NOW);
    assertEquals(403, elsewhere.status());
    assertEquals("ip_not_allowed", elsewhere.error());
    assertEquals(
        "ip_not_allowed",
        check.admit(Optional.of(listed), catalog, request("/petstore/"), NOW).error(),
        "an unknown client address is refused");
  }

  private Verdict admit(LiveKey key, String path) {
    return check.admit(Optional.of(key), catalog, request(path), NOW);
  }

  @Test
  void aFaultOfKeyportsOwnIsAnsweredUnavailableNeverAdmitted() {
    // Configured outside the container, the check has no key cache: every lookup fails.
    CheckRequest request =
        new CheckRequest("GET", "/petstore/", "api.example.com", KeyFormat.generate("kp"));
    Verdict verdict = check.decide(request, Front.SERVLET);
    assertEquals(503, verdict.status());
    assertEquals("{\"error\":\"unavailable\"}", verdict.body());
    assertEquals(503, check.decideFromMemory(request, Front.LISTENER).orElseThrow().status());
  }

  private static CheckRequest request(String path) {
    return new CheckRequest("GET", path, "api.example.com", "kp_x");
  }

  private static LiveKey key(String product, Instant expires, Map<String, String> metadata) {
    return new LiveKey(ID, "dev@example.com", product, "gold", expires, metadata);
  }

  private static void assertInvalid(Verdict verdict) {
    assertEquals(401, verdict.status());
    assertEquals("invalid_api_key", verdict.error());
    assertEquals("APIKey header=\"api-key\"", verdict.headers().get("WWW-Authenticate"));
  }
}
