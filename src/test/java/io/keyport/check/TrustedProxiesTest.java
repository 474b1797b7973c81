package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.0.2.1");

  @Test
  void aTrustedGatewaysForwardedForNamesTheClientAnyoneElsesIsIgnored() {
    assertEquals("203.0.113.5", proxies.client("10.1.1.1", "203.0.113.5"));
    // The nearest hop that is not a trusted proxy; what the client wrote further left is not it.
    assertEquals("203.0.113.5", proxies.client("10.1.1.1", "198.51.100.66, 203.0.113.5, 10.2.2.2"));
    assertEquals("198.51.100.7", proxies.client("198.51.100.7", "203.0.113.5"), "untrusted peer");
    assertEquals("192.0.2.1", proxies.client("192.0.2.1", null), "no header: the peer");
    assertEquals("10.1.1.1", proxies.client("10.1.1.1", " , 10.3.3.3"), "only proxies: the peer");
    assertEquals("198.51.100.7", TrustedProxies.NONE.client("198.51.100.7", "203.0.113.5"));
  }

  @Test
  void aBadEntryStopsTheStartNamingTheSetting() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class, () -> TrustedProxies.parse("10.0.0.0/8, gateway"));
    assertTrue(
        refused.getMessage().contains("keyport.check.trusted-proxies"), refused.getMessage());
  }

  @Test
  void theCheckRequestCarriesTheClientAddress() {
    Map<String, String> headers = Map.of("x-forwarded-for", "203.0.113.5", "api-key", "kp_x");
    CheckRequest request =
        CheckRequest.read(
            name -> headers.get(name.toLowerCase()), "GET", "/p", "api-key", "10.9.9.9", proxies);
    assertEquals("203.0.113.5", request.clientAddress());
  }
}
