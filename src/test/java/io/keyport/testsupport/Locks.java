package io.keyport.testsupport;

/**
 * What integration test classes that run side by side (see failsafe's configuration in pom.xml)
 * must not share while one of them disturbs it: named for {@code @ResourceLock}.
 */
public final class Locks {

  /**
   * The link between every Keyport on the run's database ({@code it.dblink.port}) and PostgreSQL:
   * held by classes that cut it or freeze the change feed on it, and by the classes beside them
   * whose own nodes use it.
   */
  public static final String DATABASE_LINK = "keyport.database-link";

  /**
   * The sign-in throttles, which count failures per account and per client address, and every test
   * comes from one address: held (READ_WRITE) by the class that floods them with wrong passwords,
   * and (READ) by the classes beside it that sign in.
   */
  public static final String SIGN_IN = "keyport.sign-in";

  /**
   * The run's OpenID provider, whose queued token callbacks are one list for every caller: held by
   * each OIDC test method in turn and by the other class that signs in through the provider.
   */
  public static final String OIDC_PROVIDER = "keyport.oidc-provider";

  /**
   * Nodes of a class's own that it kills or restarts on the run's database: NotificationsIT's
   * killed deliverer, RestartIT's stopped and restarted node. Held by both (READ_WRITE), which
   * failed side by side in stop 26's CI; they hold {@link #DATABASE_LINK} only to read, so the
   * link's cutters wait for them and they for the cutters, but the first lane's other classes run
   * beside them.
   */
  public static final String RESTARTS = "keyport.restarts";

  /**
   * The run's one Redis, behind DEFAULT's mirror and the redis-mode pair: held (READ_WRITE) by the
   * classes that kill it and start it again (MirrorIT, RedisPairIT), and (READ) by those that read
   * what is in it or need the pair to share through it (AdminPeopleIT, CreditsAndScopesIT, RollIT).
   * A killer starts it again itself, after each test; until stop 28 every class's test restarted a
   * killed Redis before it ran, and one did so in the middle of MirrorIT's outage, whose outbox
   * then emptied before the test could see it full.
   */
  public static final String REDIS = "keyport.redis";

  private Locks() {}
}
