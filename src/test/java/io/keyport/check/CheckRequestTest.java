package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CheckRequestTest {

  @Test
  void envoyStyleReadsThePathAfterTheCheckAndItsOwnMethodAndHost() {
    CheckRequest request =
        read(Map.of("Host", "api.example.com", "api-key", "k"), "POST", "/petstore/pets?x=1");
    assertEquals(new CheckRequest("POST", "/petstore/pets?x=1", "api.example.com", "k"), request);
  }

  @Test
  void forwardedHeadersComeFirst() {
    CheckRequest request =
        read(
            Map.of(
                "X-Forwarded-Method", "DELETE",
                "X-Original-Method", "PUT",
                "X-Forwarded-Uri", "/trackapi/x",
                "X-Original-URI", "/petstore/y",
                "X-Forwarded-Host", "a.example",
                "Host", "keyport:8080"),
            "GET",
            "");
    assertEquals(new CheckRequest("DELETE", "/trackapi/x", "a.example", null), request);
  }

  @Test
  void nginxOriginalHeadersAreReadWhenNoForwardedOnes() {
    CheckRequest request =
        read(Map.of("X-Original-Method", "PUT", "X-Original-URI", "/petstore/y"), "GET", "");
    assertEquals("PUT", request.method());
    assertEquals("/petstore/y", request.path());
  }

  @Test
  void theKeyHeaderBeatsABearerToken() {
    assertEquals(
        "a", read(Map.of("api-key", "a", "Authorization", "Bearer b"), "GET", "").apiKey());
    assertEquals("b", read(Map.of("Authorization", "bearer  b "), "GET", "").apiKey());
    assertNull(read(Map.of("Authorization", "Basic Zm9vOmJhcg=="), "GET", "").apiKey());
  }

  @Test
  void noSuffixIsTheRoot() {
    assertEquals("/", read(Map.of(), "GET", "").path());
  }

  private static CheckRequest read(Map<String, String> headers, String method, String suffix) {
    Map<String, String> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseless.putAll(headers);
    return CheckRequest.read(caseless::get, method, suffix, "api-key");
  }
}
