package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

  /** Spellings every common upstream reads the same way: Keyport reads them so too. */
  @ParameterizedTest
  @CsvSource({
    "/api/v2/secret, /api/v2/secret",
    "/api/v2/secret?limit=5, /api/v2/secret",
    "/api/v2/secret?a=;b\\c#d, /api/v2/secret",
    "'', /",
    "?x=1, /",
    "/, /",
    "/api/, /api/",
    "/api/x/../v2/secret, /api/v2/secret",
    "/api/./v2/secret, /api/v2/secret",
    "/api/v2/secret/., /api/v2/secret/",
    "/api/v2/secret/.., /api/v2/",
    "/../../etc/passwd, /etc/passwd",
    "/api/v2%2dbeta/, /api/v2-beta/",
    "/api/%76%32/secret, /api/v2/secret",
    "/caf%C3%A9/, /café/",
    "/api/%E2%82%AC/, /api/€/",
    "/api/%F0%9F%98%80/, /api/\uD83D\uDE00/",
    "/api/.well-known/x, /api/.well-known/x",
    "/api/v1.2/x, /api/v1.2/x",
    "/api/a%20b/, /api/a b/",
    "/api/A-Z_a~z!$&()*+=@:/, /api/A-Z_a~z!$&()*+=@:/"
  })
  void normalisesAsEveryUpstreamWould(String raw, String expected) {
    assertEquals(expected, RequestPath.normalise(raw));
  }

  /**
   * Spellings upstreams read differently, each of which could carry a key of the product on {@code
   * /api/} onto a nested product's {@code /api/v2/}: refused, so the check answers 403.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        // path parameters: Tomcat, Spring and Jetty drop them, nginx and Go keep them
        "/api/v2;x/secret",
        "/api/v2;/secret",
        "/api/v2;jsessionid=1/secret",
        "/api/v2/secret;x",
        "/api/..;/v2/secret",
        "/api/;/../v2/secret",
        "/api/v2%3bx/secret",
        "/api/v2%3Bx/secret",
        // backslashes: IIS and some Node servers read them as /
        "/api/v2\\secret",
        "/api\\v2\\secret",
        "/api/v2%5Csecret",
        "/api/v2%5csecret",
        "/api/x/..\\v2/secret",
        // encoded slash inside a segment: nginx decodes it, Tomcat refuses, Apache 404s
        "/api/v2%2Fsecret",
        "/api%2fv2/secret",
        "/api/x/..%2Fv2/secret",
        // double encoding: a second decoder reads %252e as .
        "/api/%252e%252e/v2/secret",
        "/api/v2%252Fsecret",
        "/api/100%25/x",
        // encoded dot segments: resolved by some servers, names to others
        "/api/x/%2e%2e/v2/secret",
        "/api/x/%2E%2E/v2/secret",
        "/api/x/.%2e/v2/secret",
        "/api/%2e/v2/secret",
        // NUL and control characters, raw or encoded
        "/api/v2%00/secret",
        "/api/v2%00.json",
        "/api/v2%0d%0aX-Injected:%201/secret",
        "/api/v2%09/secret",
        "/api/v2%7f/secret",
        "/api/v2\u0000/secret",
        "/api/v2\t/secret",
        "/api/v2 /secret",
        "/api/v2\r\n/secret",
        // overlong and invalid UTF-8, encoded surrogates
        "/api/v2%C0%AFsecret",
        "/api/%C0%AE%C0%AE/v2/secret",
        "/api/%E0%80%AF/v2",
        "/api/%C3%28/",
        "/api/%ED%A0%80/",
        "/api/%FF/",
        "/api/%C3",
        // broken escapes and IIS %u escapes
        "/api/%",
        "/api/%2",
        "/api/%zz/",
        "/api/%u002f/v2",
        // look-alikes that some servers fold into separators or dots, invisible characters
        "/api/v2%EF%BC%8Fsecret",
        "/api/%EF%BC%8E%EF%BC%8E/v2/secret",
        "/api/v2%E2%80%8B/secret",
        "/api/v2%C2%A0/secret",
        "/api/v2%C2%85/secret",
        // fragments: never sent by clients, cut off by some servers
        "/api/x#/../v2/secret",
        "/api/v2#x",
        "/api/%23/v2",
        // an encoded query start, which a decoding proxy turns into a real one
        "/api/v2%3F/secret",
        // empty segments: nginx merges them, Tomcat and Apache keep them
        "/api//v2/secret",
        "//api/v2/secret",
        "/api/v2//secret",
        // trailing dots and spaces: Windows servers drop them
        "/api/v2./secret",
        "/api/v2../secret",
        "/api/v2%20/secret",
        "/api/v2%2e/secret",
        "/api/.../v2",
        // absolute-form, authority-form, asterisk-form and relative targets
        "http://example.com/api/v2/secret",
        "HTTP://example.com/api/",
        "example.com:443",
        "*",
        "api/v2/secret",
        // raw non-ASCII: read as ISO-8859-1 by one front and UTF-8 by another
        "/api/caf\u00e9/",
        "/api/v2\uff0fsecret"
      })
  void refusesWhatUpstreamsReadDifferently(String raw) {
    assertNull(RequestPath.normalise(raw), raw);
  }
}
