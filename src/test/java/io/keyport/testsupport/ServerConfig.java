package io.keyport.testsupport;

/**
 * The Keyport configurations the integration tests share, one node each per run (see {@link
 * KeyportServers}). All of them run the WAR Maven built on the failsafe environment (the test
 * PostgreSQL through {@code it.TestDatabase}'s link, the test HMAC secret, the demo data, {@code
 * x-team=team} metadata headers); each adds system properties, as arquillian.xml's containers do.
 */
public enum ServerConfig {

  /**
   * Keyport as the tests' environment configures it; no Redis, local sign-in only. Cached keys are
   * served for 5 s while PostgreSQL is unreachable (DatabaseOutageIT waits for the 503).
   */
  DEFAULT("default", false, false, "-Dkeyport.check.offline-ttl=PT5S"),

  /** The Redis mirror on (SPEC §5), rate limits kept on the node. */
  REDIS_MIRROR("redis-mirror", true, false, "-Dkeyport.redis.url=%REDIS%"),

  /**
   * Sign-in through an OpenID Connect provider next to local users; the provider is
   * mock-oauth2-server in the test JVM ({@link OidcProvider}), up for the whole run.
   */
  OIDC(
      "oidc",
      false,
      true,
      "-Dkeyport.auth.mode=both -Dkeyport.oidc.issuer=%ISSUER%"
          + " -Dkeyport.oidc.client-id="
          + OidcProvider.CLIENT_ID
          + " -Dkeyport.oidc.client-secret="
          + OidcProvider.CLIENT_SECRET
          + " -Dkeyport.oidc.provider-name="
          + OidcProvider.PROVIDER_NAME
          + " -Dkeyport.oidc.admin-claim=groups -Dkeyport.oidc.admin-value=keyport-admins"),

  /** One of two nodes sharing rate limits through Redis ({@code keyport.ratelimit.mode=redis}). */
  REDIS_MODE_A(
      "redis-mode-a", true, false, "-Dkeyport.ratelimit.mode=redis -Dkeyport.redis.url=%REDIS%"),

  /** The other node of the pair. */
  REDIS_MODE_B(
      "redis-mode-b", true, false, "-Dkeyport.ratelimit.mode=redis -Dkeyport.redis.url=%REDIS%");

  /** What every shared node's JVM gets before its configuration's properties. */
  private static final String HEAP = "-Xmx768m";

  private final String label;
  private final boolean redis;
  private final boolean oidc;
  private final String properties;

  ServerConfig(String label, boolean redis, boolean oidc, String properties) {
    this.label = label;
    this.redis = redis;
    this.oidc = oidc;
    this.properties = properties;
  }

  /** The name of the node and of its log in target/keyport-nodes. */
  public String label() {
    return label;
  }

  /** Whether the node talks to the run's Redis. */
  public boolean needsRedis() {
    return redis;
  }

  /** Whether the node signs people in through the run's OpenID Connect provider. */
  public boolean needsOidcProvider() {
    return oidc;
  }

  /** The node's {@code KEYPORT_JAVA_OPTS}: heap and system properties. */
  String javaOptions(String redisUrl, String issuer) {
    String options = properties;
    if (redis) {
      options = options.replace("%REDIS%", redisUrl);
    }
    if (oidc) {
      options = options.replace("%ISSUER%", issuer);
    }
    return (HEAP + " " + options).strip();
  }
}
