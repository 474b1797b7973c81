package io.keyport.catalog;

import io.keyport.platform.DataChanged;
import io.keyport.platform.Database;
import io.keyport.platform.Unproxied;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The catalogue as the gateway check sees it: live products with the plans they offer, and the
 * route table. Held in memory and rebuilt when PostgreSQL announces a catalogue change; if the
 * rebuild fails the previous snapshot keeps serving until a later try succeeds.
 */
@ApplicationScoped
public class LiveCatalog {

  private static final Logger LOG = Logger.getLogger(LiveCatalog.class.getName());
  private static final long RETRY_MILLIS = 1_000;

  /** What the check needs of the catalogue at one moment. */
  public record Snapshot(
      Map<String, Set<String>> plansByProduct, RouteTable routes, Map<String, PlanView> plans) {

    public boolean isLive(String product) {
      return plansByProduct.containsKey(product);
    }

    /** The plan's current limits; a plan unknown here has none. */
    public PlanView plan(String name) {
      PlanView plan = plans.get(name);
      return plan != null ? plan : new PlanView(name, name, null, null, null, null, null);
    }

    /** See {@link RouteTable#productFor(String, String, String, boolean)}. */
    public Optional<String> productFor(
        String method, String host, String path, boolean ignoreCase) {
      return routes.productFor(method, host, path, ignoreCase);
    }
  }

  /** The catalogue could not be read and no earlier snapshot exists. */
  public static class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(SQLException cause) {
      super("The catalogue cannot be read: " + cause.getMessage(), cause);
    }
  }

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  private volatile Snapshot snapshot;
  private volatile boolean stale = true;
  private volatile long nextTry;

  /**
   * The current snapshot.
   *
   * @throws Unavailable when none could ever be read
   */
  public Snapshot current() {
    if (stale && System.currentTimeMillis() >= nextTry) {
      reload();
    }
    Snapshot current = snapshot;
    if (current == null) {
      throw new Unavailable(new SQLException("no catalogue loaded yet"));
    }
    return current;
  }

  /** The snapshot if it is up to date, else null; never reads the database. */
  public Snapshot currentIfFresh() {
    return stale ? null : snapshot;
  }

  void onChange(@Observes DataChanged change) {
    if (change.kind() == DataChanged.Kind.CATALOG || change.kind() == DataChanged.Kind.ALL) {
      stale = true;
      nextTry = 0;
    }
  }

  private synchronized void reload() {
    if (!stale) {
      return;
    }
    // Cleared before reading: a change announced during the read marks it stale again.
    stale = false;
    try {
      snapshot = read();
    } catch (SQLException e) {
      stale = true;
      nextTry = System.currentTimeMillis() + RETRY_MILLIS;
      LOG.log(Level.WARNING, "Could not reload the catalogue; keeping the last one: {0}", e);
      if (snapshot == null) {
        throw new Unavailable(e);
      }
    }
  }

  private Snapshot read() throws SQLException {
    Map<String, Set<String>> plans = new HashMap<>();
    List<RouteTable.Rule> rules = new ArrayList<>();
    Map<String, PlanView> limits = new HashMap<>();
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement statement =
              connection.prepareStatement(
                  "select name, display_name, description, requests_per_unit, rate_unit,"
                      + " monthly_quota, max_keys_per_user from usage_plan");
          ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          limits.put(
              row.getString(1),
              new PlanView(
                  row.getString(1),
                  row.getString(2),
                  row.getString(3),
                  (Integer) row.getObject(4),
                  row.getString(5) == null ? null : RateUnit.valueOf(row.getString(5)),
                  (Long) row.getObject(6),
                  (Integer) row.getObject(7)));
        }
      }
      try (PreparedStatement statement =
              connection.prepareStatement(
                  "select p.slug, pl.name from api_product p"
                      + " left join product_plan pp on pp.product_id = p.id"
                      + " left join usage_plan pl on pl.id = pp.plan_id"
                      + " where p.retired_at is null");
          ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          Set<String> offered = plans.computeIfAbsent(row.getString(1), slug -> new HashSet<>());
          if (row.getString(2) != null) {
            offered.add(row.getString(2));
          }
        }
      }
      try (PreparedStatement statement =
              connection.prepareStatement(
                  "select p.slug, r.host, r.path_prefix, r.methods from product_route r"
                      + " join api_product p on p.id = r.product_id where p.retired_at is null");
          ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          rules.add(
              new RouteTable.Rule(
                  row.getString(1), row.getString(2), row.getString(3), methods(row.getString(4))));
        }
      }
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    plans.forEach((product, offered) -> frozen.put(product, Set.copyOf(offered)));
    return new Snapshot(Map.copyOf(frozen), new RouteTable(rules), Map.copyOf(limits));
  }

  static Set<String> methods(String csv) {
    if (csv == null || csv.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(csv.split(","))
        .map(m -> m.trim().toUpperCase(Locale.ROOT))
        .filter(m -> !m.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<LiveCatalog> unproxied() {
    return new Unproxied<>(this);
  }
}
