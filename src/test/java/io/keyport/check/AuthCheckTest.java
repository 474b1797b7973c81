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

  private Verdict admit(LiveKey key, String path) {
    return check.admit(Optional.of(key), catalog, request(path), NOW);
  }

  @Test
  void aFaultOfKeyportsOwnIsAnsweredUnavailableNeverAdmitted() {
    // Configured outside the container, the check has no key cache: every lookup fails.
    CheckRequest request =
        new CheckRequest("GET", "/petstore/", "api.example.com", KeyFormat.generate("kp"));
    Verdict verdict = check.decide(request);
    assertEquals(503, verdict.status());
    assertEquals("{\"error\":\"unavailable\"}", verdict.body());
    assertEquals(503, check.decideFromMemory(request).orElseThrow().status());
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
