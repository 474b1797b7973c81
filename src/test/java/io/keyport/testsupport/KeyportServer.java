package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.Map;

/**
 * A shared Keyport node as a test sees it: where it answers and what it logged, and the parts of
 * its configuration (Redis, the OpenID Connect provider). It cannot be stopped or killed: other
 * test classes use it after this one. A test that restarts or kills Keyport starts a {@link
 * KeyportNode} of its own.
 */
public final class KeyportServer {

  private final ServerConfig config;
  private final KeyportNode node;
  private final RedisServer redis;
  private final OidcProvider oidc;

  KeyportServer(ServerConfig config, KeyportNode node, RedisServer redis, OidcProvider oidc) {
    this.config = config;
    this.node = node;
    this.redis = redis;
    this.oidc = oidc;
  }

  public ServerConfig config() {
    return config;
  }

  /** The portal's base URL, {@code http://127.0.0.1:<port>/}. */
  public URL url() {
    return node.url();
  }

  public URI uri(String path) {
    return node.uri(path);
  }

  /** The portal's HTTP port. */
  public int port() {
    return node.port();
  }

  /** The port of the gateway check's own listener ({@code KEYPORT_CHECK_PORT}). */
  public int checkPort() {
    return node.checkPort();
  }

  public int grpcPort() {
    return node.grpcPort();
  }

  public Http http() {
    return new Http(url());
  }

  /** Everything the node logged so far. */
  public String log() {
    return node.log();
  }

  public String logTail() {
    return node.logTail();
  }

  /** The run's Redis, which this node uses; a test may kill and restart it. */
  public RedisServer redis() {
    if (redis == null) {
      fail(config + " has no Redis: ask for a configuration that uses one");
    }
    return redis;
  }

  /** The run's OpenID Connect provider, which this node signs people in through. */
  public OidcProvider oidc() {
    if (oidc == null) {
      fail(config + " has no OpenID Connect provider: ask for ServerConfig.DEFAULT");
    }
    return oidc;
  }

  /**
   * Another node of this configuration (the same Redis and provider), not shared: for a test that
   * kills or restarts Keyport. It is started and ready; the caller closes it.
   */
  public KeyportNode startAnother(String name) throws IOException {
    KeyportNode another =
        KeyportNode.launch(
            name,
            Map.of(
                "KEYPORT_JAVA_OPTS",
                config.javaOptions(
                    redis == null ? null : redis.url(), oidc == null ? null : oidc.issuer())));
    try {
      another.awaitReady(KeyportServers.START_PATIENCE);
    } catch (RuntimeException | Error e) {
      another.close();
      throw e;
    }
    return another;
  }

  KeyportNode node() {
    return node;
  }

  @Override
  public String toString() {
    return config.label() + " (" + node.address() + ")";
  }
}
