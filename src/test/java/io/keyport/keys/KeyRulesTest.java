package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.catalog.UsagePlan;
import io.keyport.platform.RequestRefused;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyRulesTest {

  @Test
  void aNameIsStrippedOfSurroundingBlanks() {
    assertEquals("ci pipeline", KeyRules.name("  ci pipeline \t"));
  }

  @Test
  void aNameOf64CharactersIsFineAnd65IsNot() {
    assertEquals(64, KeyRules.name("n".repeat(64)).length());
    assertRefused("apiKeyName", () -> KeyRules.name("n".repeat(65)));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   ", "line\nbreak", "tab\there", "nul\u0000"})
  void blankAndControlCharacterNamesAreRefused(String name) {
    assertRefused("apiKeyName", () -> KeyRules.name(name));
  }

  @Test
  void noMetadataIsAnEmptyMap() {
    assertEquals(Map.of(), KeyRules.metadata(null));
  }

  @Test
  void wellFormedMetadataPasses() {
    Map<String, String> metadata = Map.of("team", "payments", "cost-centre.id", "42");
    assertEquals(metadata, KeyRules.metadata(metadata));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"name", "usagePlan", "username", "apiProduct", "created-ts-unix", "-x", "a b", ""})
  void reservedAndMalformedMetadataNamesAreRefused(String name) {
    assertRefused("metadata", () -> KeyRules.metadata(Map.of(name, "v")));
  }

  @Test
  void overlongOrNullMetadataValuesAreRefused() {
    assertRefused("metadata", () -> KeyRules.metadata(Map.of("team", "v".repeat(1001))));
    assertRefused("metadata", () -> KeyRules.metadata(Map.of("team", "a\r\nx-solo-plan: gold")));
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("team", null);
    assertRefused("metadata", () -> KeyRules.metadata(nullValue));
  }

  @Test
  void atMostTwentyMetadataEntries() {
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 21; i++) {
      many.put("k" + i, "v");
    }
    assertRefused("metadata", () -> KeyRules.metadata(many));
  }

  @Test
  void anOwnerCannotSetMetadataThatBecomesATrustedHeader() {
    Map<String, String> trusted =
        MetadataHeaders.trustedEntries("x-team=team,x-tier=tier:required");
    RequestRefused refused =
        assertThrows(
            RequestRefused.class,
            () -> KeyRules.ownersMetadata(Map.of("team", "finance", "env", "ci"), trusted));
    assertEquals("metadata.team", refused.field());
    assertEquals("invalid_request", refused.error());
    assertTrue(refused.getMessage().contains("metadata.team is set by an administrator"));
    assertTrue(refused.getMessage().contains("x-team"));

    RequestRefused both =
        assertThrows(
            RequestRefused.class,
            () -> KeyRules.ownersMetadata(Map.of("tier", "gold", "team", "finance"), trusted));
    assertEquals(
        List.of("metadata.team", "metadata.tier"), List.copyOf(both.fieldErrors().keySet()));
  }

  @Test
  void anOwnerSetsOtherMetadataAndNamesAreMatchedExactly() {
    Map<String, String> trusted = MetadataHeaders.trustedEntries("x-team=team");
    Map<String, String> metadata = Map.of("env", "ci", "Team", "finance", "team-name", "x");
    assertEquals(metadata, KeyRules.ownersMetadata(metadata, trusted));
    assertEquals(Map.of(), KeyRules.ownersMetadata(null, trusted));
    assertEquals(
        Map.of("team", "finance"), KeyRules.ownersMetadata(Map.of("team", "finance"), Map.of()));
  }

  @Test
  void anExpiryMustLieInTheFuture() {
    Instant now = Instant.parse("2026-11-28T12:00:00Z");
    assertNull(KeyRules.expiry(null, now));
    assertEquals(now.plusSeconds(1), KeyRules.expiry(now.plusSeconds(1), now));
    assertRefused("expiresAt", () -> KeyRules.expiry(now, now));
    assertRefused("expiresAt", () -> KeyRules.expiry(now.minusSeconds(86_400), now));
  }

  private static void assertRefused(String field, Runnable call) {
    RequestRefused refusal = assertThrows(RequestRefused.class, call::run);
    assertEquals(RequestRefused.Reason.INVALID, refusal.reason());
    assertEquals(field, refusal.field());
    assertEquals("invalid_request", refusal.error());
  }

  @Test
  void aPlanWideKeyNeedsAPlanThatALiveProductOffers() {
    List<UsagePlan> offered = List.of(new UsagePlan("gold", "Gold", null));
    assertEquals("gold", KeyRules.planWide(offered, "gold").getName());
    RequestRefused unknown =
        assertThrows(RequestRefused.class, () -> KeyRules.planWide(offered, "platinum"));
    assertEquals("usagePlan", unknown.field());
    assertTrue(unknown.getMessage().contains("Pick one of: gold"), unknown.getMessage());
    RequestRefused none =
        assertThrows(RequestRefused.class, () -> KeyRules.planWide(List.of(), "gold"));
    assertTrue(none.getMessage().contains("No API product offers a usage plan yet"));
    assertEquals(
        "usagePlan",
        assertThrows(RequestRefused.class, () -> KeyRules.planWide(offered, " ")).field());
  }
}
