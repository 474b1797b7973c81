package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.catalog.LiveCatalog;
import io.keyport.catalog.RouteTable;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The check's decision for a rolled key's two values on a moved clock (SPEC §11). */
class RolledKeyCheckTest {

  private static final Instant ROLLED = Instant.parse("2026-12-04T12:00:00Z");
  private static final UUID ID = UUID.randomUUID();

  private final AuthCheck check = AuthCheck.configured("api-key", null);
  private final LiveCatalog.Snapshot catalog =
      new LiveCatalog.Snapshot(
          Map.of("petstore", Set.of("gold")),
          new RouteTable(List.of(new RouteTable.Rule("petstore", null, "/petstore/", Set.of()))),
          Map.of());
  private final LiveKey current =
      new LiveKey(ID, "dev@example.com", "petstore", "gold", null, Map.of());
  private final LiveKey previous =
      KeyLookup.previousValue(current, ROLLED.plus(Duration.ofHours(1)));

  @Test
  void bothValuesPassDuringTheGraceAsTheSameKey() {
    for (Instant now : List.of(ROLLED, ROLLED.plus(Duration.ofMinutes(59)))) {
      Verdict old = admit(previous, now);
      Verdict fresh = admit(current, now);
      assertTrue(old.allowed(), "the old value at " + now);
      assertTrue(fresh.allowed(), "the new value at " + now);
      assertEquals(ID.toString(), old.headers().get("x-api-key-id"));
      assertEquals(ID.toString(), fresh.headers().get("x-api-key-id"));
    }
  }

  @Test
  void theOldValueIsRefusedRightAfterTheGraceTheNewOneGoesOn() {
    Instant end = ROLLED.plus(Duration.ofHours(1));
    assertEquals(401, admit(previous, end).status());
    assertEquals("invalid_api_key", admit(previous, end.plusMillis(1)).error());
    assertTrue(admit(current, end).allowed());
    assertTrue(admit(current, end.plus(Duration.ofDays(30))).allowed());
  }

  private Verdict admit(LiveKey key, Instant now) {
    return check.admit(
        Optional.of(key),
        catalog,
        new CheckRequest("GET", "/petstore/pets", "api.example.com", "kp_x"),
        now);
  }
}
