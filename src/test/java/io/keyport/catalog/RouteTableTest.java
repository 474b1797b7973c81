package io.keyport.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
    assertEquals(Optional.empty(), routes.productFor("GET", null, "/petstore"));
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
