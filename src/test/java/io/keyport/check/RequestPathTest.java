package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

  @ParameterizedTest
  @CsvSource({
    "/petstore/pets, /petstore/pets",
    "/petstore/pets?limit=5, /petstore/pets",
    "/petstore/pets#top, /petstore/pets",
    "'', /",
    "petstore/pets, /petstore/pets",
    "/petstore/../trackapi/tracks, /trackapi/tracks",
    "/petstore/%2e%2e/trackapi/tracks, /trackapi/tracks",
    "/petstore/%2E%2E/trackapi/, /trackapi/",
    "/petstore/./pets, /petstore/pets",
    "//petstore//pets, /petstore/pets",
    "/petstore/pets/.., /petstore/",
    "/../../etc/passwd, /etc/passwd",
    "/petstore%2Fpets, /petstore/pets",
    "/caf%C3%A9/, /café/",
    "/petstore/.well-known/x, /petstore/.well-known/x",
    "/petstore/pets;v=2, /petstore/pets;v=2",
    "/petstore/pets;v=2/toys, /petstore/pets;v=2/toys",
    "/petstore/;jsessionid=1, /petstore/;jsessionid=1",
    "/petstore/...;x/pets, /petstore/...;x/pets"
  })
  void normalisesAsTheUpstreamWouldSeeIt(String raw, String expected) {
    assertEquals(expected, RequestPath.normalise(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/petstore/%", "/petstore/%2", "/petstore/%zz", "/petstore/%C3%28"})
  void unreadableEscapesAreNoPath(String raw) {
    assertNull(RequestPath.normalise(raw));
  }

  // Tomcat drops ;parameters first and reads ../trackapi where other servers see a name.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/petstore/..;/trackapi/tracks",
        "/petstore/..;x=1/trackapi/tracks",
        "/petstore/%2e%2e;/trackapi/tracks",
        "/petstore/..%3b/trackapi/tracks",
        "/petstore/.;/pets",
        "/petstore/;/../trackapi/tracks",
        "/petstore/;x/../trackapi/tracks"
      })
  void pathParametersThatHideDotSegmentsAreNoPath(String raw) {
    assertNull(RequestPath.normalise(raw));
  }
}
