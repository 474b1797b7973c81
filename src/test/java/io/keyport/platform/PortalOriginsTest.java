package io.keyport.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortalOriginsTest {

  private final PortalOrigins origins =
      configured("https://Portal.Example.com, http://localhost:4000");

  @Test
  void originsAreNormalisedAndCompared() {
    assertEquals(
        Set.of("https://portal.example.com", "http://localhost:4000"),
        PortalOrigins.parse(" https://Portal.Example.com:443 ,http://localhost:4000,"));
    assertTrue(origins.allows("https://portal.example.com"));
    assertTrue(origins.allows("http://localhost:4000"));
    assertFalse(origins.allows("http://localhost:4001"));
    assertFalse(origins.allows("http://portal.example.com"));
    assertFalse(origins.allows("https://portal.example.com.evil.test"));
    assertFalse(origins.allows("https://portal.example.com/path"));
    assertFalse(origins.allows("null"));
    assertFalse(origins.allows(null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"*", "https://portal.example.com/app", "portal.example.com", "ftp://x.test"})
  void aWildcardOrAnythingButAnOriginStopsTheStart(String entry) {
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> PortalOrigins.parse(entry));
    assertTrue(refused.getMessage().contains("never '*'"), refused.getMessage());
  }

  @Test
  void redirectsGoOnlyToAllowedOrigins() {
    assertTrue(origins.allowsRedirect("https://portal.example.com/apis?x=1"));
    assertTrue(origins.allowsRedirect("http://localhost:4000/"));
    assertFalse(origins.allowsRedirect("https://evil.test/?https://portal.example.com"));
    assertFalse(origins.allowsRedirect("https://portal.example.com@evil.test/"));
    assertFalse(origins.allowsRedirect("//evil.test/"));
    assertFalse(origins.allowsRedirect("javascript:alert(1)"));
    assertFalse(origins.allowsRedirect(null));
  }

  private static PortalOrigins configured(String csv) {
    PortalOrigins origins = new PortalOrigins();
    origins.configured = Optional.of(csv);
    origins.init();
    return origins;
  }
}
