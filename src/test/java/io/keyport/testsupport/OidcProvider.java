package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * A real OpenID Connect provider for the run: navikt's mock-oauth2-server in this JVM, with its
 * interactive login page, on the port Maven reserved ({@code it.oidc.port}) or a free one. It lives
 * as long as the {@link ServerConfig#DEFAULT} node, which caches its discovery document and keys.
 */
public final class OidcProvider implements AutoCloseable {

  public static final String ISSUER_ID = "keyport";
  public static final String CLIENT_ID = "keyport-portal";
  public static final String CLIENT_SECRET = "it-client-secret";
  public static final String PROVIDER_NAME = "AcmeID";

  private final MockOAuth2Server server;
  private final String issuer;

  private OidcProvider(MockOAuth2Server server, String issuer) {
    this.server = server;
    this.issuer = issuer;
  }

  static OidcProvider start() {
    String reserved = System.getProperty("it.oidc.port");
    int port = reserved == null ? Ports.free() : Integer.parseInt(reserved);
    // OkHttp's MockWebServer underneath: no Netty, whose 4.2 would clash with Keyport's 4.1.
    MockOAuth2Server server =
        new MockOAuth2Server(
            OAuth2Config.Companion.fromJson(
                "{\"interactiveLogin\":true,\"httpServer\":\"MockWebServerWrapper\"}"));
    try {
      server.start(InetAddress.getByName("127.0.0.1"), port);
    } catch (Exception e) {
      fail("The OIDC provider (mock-oauth2-server) did not start on 127.0.0.1:" + port + ": " + e);
    }
    return new OidcProvider(server, "http://127.0.0.1:" + port + "/" + ISSUER_ID);
  }

  /** The issuer Keyport is configured with: {@code http://127.0.0.1:<port>/keyport}. */
  public String issuer() {
    return issuer;
  }

  /** The provider itself, for a test to queue the claims of the next sign-in. */
  public MockOAuth2Server server() {
    return server;
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
