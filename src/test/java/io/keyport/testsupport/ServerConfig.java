package io.keyport.testsupport;

/**
 * The Keyport configurations the integration tests share, one node each per run (see {@link
 * KeyportServers}). All of them run the WAR Maven built on the failsafe environment (the test
 * PostgreSQL through {@code it.TestDatabase}'s link, the test HMAC secret, the demo data, {@code
 * x-team=team} metadata headers); each adds system properties, as arquillian.xml's containers do.
 */
public enum ServerConfig {

  /**
   * Keyport as most deployments run it: the Redis mirror on (SPEC §5) with rate limits kept on the
   * node, and sign-in through an OpenID Connect provider next to local users (the provider is
   * mock-oauth2-server in the test JVM, {@link OidcProvider}, up for the whole run). One node
   * serves the local-sign-in, mirror and OIDC tests alike: a configuration of its own would cost
   * the run a Payara start. Cached keys are served for 5 s while PostgreSQL is unreachable
   * (DatabaseOutageIT waits for the 503). It mails key owners through SMTP on {@code it.smtp.port}
   * (plain, no TLS), where NotificationsIT starts GreenMail; until then mails wait and are retried.
   * Both test lanes sign in on it at once, so it verifies four passwords at a time rather than the
   * one of two cores' default, which would answer "busy" to a lane's sign-in while the other's run.
   */
  DEFAULT(
      "default",
      true,
      true,
      "-Dkeyport.check.offline-ttl=PT5S -Dkeyport.redis.url=%REDIS%"
          + " -Dkeyport.auth.mode=both -Dkeyport.oidc.issuer=%ISSUER%"
          + " -Dkeyport.oidc.client-id="
          + OidcProvider.CLIENT_ID
          + " -Dkeyport.oidc.client-secret="
          + OidcProvider.CLIENT_SECRET
          + " -Dkeyport.oidc.provider-name="
          + OidcProvider.PROVIDER_NAME
          + " -Dkeyport.oidc.admin-claim=groups -Dkeyport.oidc.admin-value=keyport-admins"
          + " -Dkeyport.mail.host=127.0.0.1 -Dkeyport.mail.port=%SMTP% -Dkeyport.mail.tls=none"
          + " -Dkeyport.mail.from=keyport@example.com"
          + " -Dkeyport.secret-scanning.keys-url=http://127.0.0.1:%SCANNING%"
          + ServerConfig.SCANNING_KEYS_PATH
          + " -Dkeyport.check.trusted-proxies=127.0.0.1"
          + " -Dkeyport.auth.throttle.concurrent-password-checks=4"
          + " -Dkeyport.portal-api.allowed-origins="
          + ServerConfig.PORTAL_ORIGIN),

  /**
   * One of two nodes sharing rate limits through Redis ({@code keyport.ratelimit.mode=redis}). It
   * leaves notifications to DEFAULT, the node that mails: a sweep here would record DEFAULT's
   * owners' quota and expiry events without their e-mails.
   */
  REDIS_MODE_A(
      "redis-mode-a",
      true,
      false,
      "-Dkeyport.ratelimit.mode=redis -Dkeyport.redis.url=%REDIS%"
          + " -Dkeyport.notifications.dispatch=false"),

  /** The other node of the pair. */
  REDIS_MODE_B(
      "redis-mode-b",
      true,
      false,
      "-Dkeyport.ratelimit.mode=redis -Dkeyport.redis.url=%REDIS%"
          + " -Dkeyport.notifications.dispatch=false");

  /**
   * The origin DEFAULT lets call Gloo Portal's {@code /v1} API from a browser (CORS) and return to
   * after {@code /v1/login} (SPEC §10): a name no DNS answers, which the browser test maps to its
   * nginx.
   */
  public static final String PORTAL_ORIGIN = "http://portal.example.test";

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

  /** The port the DEFAULT node mails to, reserved by Maven ({@code it.smtp.port}). */
  public static int smtpPort() {
    return reservedPort("it.smtp.port");
  }

  /**
   * Where DEFAULT reads the secret scanner's public keys from, on {@code it.scanning.port}: served
   * by SecretScanningIT while it runs, in GitHub's format.
   */
  public static final String SCANNING_KEYS_PATH = "/meta/public_keys/secret_scanning";

  public static int scanningKeysPort() {
    return reservedPort("it.scanning.port");
  }

  private static int reservedPort(String property) {
    String reserved = System.getProperty(property);
    if (reserved == null || reserved.isBlank()) {
      throw new IllegalStateException(
          property
              + " is not set: run the integration tests through failsafe (mvn verify),"
              + " which reserves it");
    }
    return Integer.parseInt(reserved.strip());
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
    if (options.contains("%SMTP%")) {
      options = options.replace("%SMTP%", Integer.toString(smtpPort()));
    }
    if (options.contains("%SCANNING%")) {
      options = options.replace("%SCANNING%", Integer.toString(scanningKeysPort()));
    }
    return (HEAP + " " + options).strip();
  }
}
