package io.keyport.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

  private final RouteTable routes =
      new RouteTable(
          List.of(
              new RouteTable.Rule("petstore", null, "/petstore/", Set.of()),
              new RouteTable.Rule("petadmin", null, "/petstore/admin/", Set.of()),
              new RouteTable.Rule("tracks", null, "/trackapi/", Set.of("GET", "HEAD")),
              new RouteTable.Rule("internal", "API.Example.com", "/petstore/", Set.of())));

  @Test
  void theLongestMatchingPrefixWins() {
    assertEquals(Optional.of("petadmin"), routes.productFor("GET", null, "/petstore/admin/users"));
    assertEquals(Optional.of("petstore"), routes.productFor("GET", null, "/petstore/pets"));
  }

  @Test
  void noRouteMeansNoProduct() {
    assertEquals(Optional.empty(), routes.productFor("GET", null, "/other/"));
    assertEquals(Optional.empty(), routes.productFor("GET", null, "/petstor"));
    assertEquals(Optional.empty(), routes.productFor("GET", null, "/petstorex/"));
  }

  private final RouteTable nested =
      new RouteTable(
          List.of(
              new RouteTable.Rule("outer", null, "/api/", Set.of()),
              new RouteTable.Rule("inner", null, "/api/v2/", Set.of())));

  /**
   * A nested product's routes belong to it, also its root without the slash, which Spring's {@code
   * /api/v2/**} and most other upstreams serve as part of it.
   */
  @ParameterizedTest
  @CsvSource({
    "/api/, outer",
    "/api, outer",
    "/api/v1/x, outer",
    "/api/v2x, outer",
    "/api/v20/, outer",
    "/api/v2/, inner",
    "/api/v2, inner",
    "/api/v2/secret, inner",
    "/API/v2/secret, ''",
    "/Api/V2/secret, ''",
    "/ap, ''",
    "/, ''"
  })
  void aNestedProductOwnsItsPrefixAndItsRoot(String path, String product) {
    assertEquals(
        Optional.ofNullable(product.isEmpty() ? null : product),
        nested.productFor("GET", null, path));
  }

  /** With keyport.check.case-insensitive-routes, as an upstream that ignores case reads it. */
  @ParameterizedTest
  @CsvSource({
    "/API/V2/secret, inner",
    "/api/V2/secret, inner",
    "/Api/v2, inner",
    "/API/v1/x, outer",
    "/API, outer",
    "/ap, ''"
  })
  void caseInsensitiveMatchingFoldsPathAndPrefix(String path, String product) {
    assertEquals(
        Optional.ofNullable(product.isEmpty() ? null : product),
        nested.productFor("GET", null, path, true));
  }

  @Test
  void caseFoldingTakesCharactersWithSeveralLowerCaseForms() {
    RouteTable kelvin =
        new RouteTable(
            List.of(
                new RouteTable.Rule("outer", null, "/", Set.of()),
                new RouteTable.Rule("inner", null, "/k/", Set.of())));
    assertEquals(Optional.of("inner"), kelvin.productFor("GET", null, "/\u212A/x", true));
    assertEquals(Optional.of("inner"), kelvin.productFor("GET", null, "/K/x", true));
    assertEquals(Optional.of("outer"), kelvin.productFor("GET", null, "/K/x", false));
  }

  @Test
  void methodsRestrictARouteWhenNamed() {
    assertEquals(Optional.of("tracks"), routes.productFor("get", null, "/trackapi/tracks"));
    assertEquals(Optional.empty(), routes.productFor("DELETE", null, "/trackapi/tracks"));
  }

  @Test
  void aRouteNamingTheHostBeatsOneThatDoesNotAndThePortIsIgnored() {
    assertEquals(
        Optional.of("internal"), routes.productFor("GET", "api.example.com:8443", "/petstore/x"));
    assertEquals(Optional.of("petstore"), routes.productFor("GET", "other.example", "/petstore/x"));
  }

  @Test
  void bareHostDropsPortsAndKeepsIpv6Brackets() {
    assertEquals("example.com", RouteTable.bareHost("Example.COM:80"));
    assertEquals("[::1]", RouteTable.bareHost("[::1]:8080"));
    assertEquals(null, RouteTable.bareHost(null));
  }
}
