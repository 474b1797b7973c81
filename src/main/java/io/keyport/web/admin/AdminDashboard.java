package io.keyport.web.admin;

import io.keyport.catalog.Catalog;
import io.keyport.identity.UserAdministration;
import io.keyport.keys.AdminKeyView;
import io.keyport.keys.ExpiryReminders;
import io.keyport.keys.KeyDirectory;
import io.keyport.limits.Traffic;
import io.keyport.mirror.RedisMirror;
import io.keyport.web.Charts;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The admin's landing page: how many users, products and keys there are, the traffic of the last
 * hour (this node, per minute) and the last 24 hours (every node, per hour), the busiest keys, and
 * the Redis mirror's lag.
 */
@Named
@RequestScoped
public class AdminDashboard {

  static final int TOP_KEYS = 10;
  static final int EXPIRING_SHOWN = 20;

  @Inject private UserAdministration accounts;
  @Inject private Catalog catalog;
  @Inject private KeyDirectory keys;
  @Inject private Traffic traffic;
  @Inject private RedisMirror mirror;
  @Inject private ExpiryReminders reminders;

  private long users;
  private long products;
  private long liveKeys;
  private long keysThisWeek;
  private long lastHourTotal;
  private long last24HoursTotal;
  private String minuteChart;
  private String hourChart;
  private List<Traffic.TopKey> topKeys = List.of();
  private Long lagSeconds;
  private List<AdminKeyView> expiring = List.of();

  public void load() {
    users = accounts.count();
    products = catalog.products().size();
    liveKeys = keys.liveCount();
    keysThisWeek = keys.createdSince(Instant.now().minus(7, ChronoUnit.DAYS));
    List<Charts.Bar> minutes =
        traffic.lastHourOnThisNode().stream()
            .map(m -> new Charts.Bar(m.start(), m.counts()))
            .toList();
    lastHourTotal = total(minutes);
    minuteChart = Charts.traffic(minutes);
    List<Charts.Bar> hours =
        traffic.last24Hours().stream().map(h -> new Charts.Bar(h.start(), h.counts())).toList();
    last24HoursTotal = total(hours);
    hourChart = Charts.traffic(hours);
    topKeys = traffic.topKeys(TOP_KEYS);
    expiring = reminders.ofEveryone(EXPIRING_SHOWN);
    if (mirror.isEnabled()) {
      try {
        lagSeconds = mirror.lagSeconds();
      } catch (SQLException e) {
        Messages.error(null, Wording.text("mirror.noDatabase"));
      }
    }
  }

  private static long total(List<Charts.Bar> bars) {
    return bars.stream()
        .flatMap(b -> b.counts().values().stream())
        .mapToLong(Long::longValue)
        .sum();
  }

  /** Live keys expiring within 7 days, soonest first (at most 20). */
  public List<AdminKeyView> getExpiring() {
    return expiring;
  }

  public long getUsers() {
    return users;
  }

  public long getProducts() {
    return products;
  }

  public long getLiveKeys() {
    return liveKeys;
  }

  public long getKeysThisWeek() {
    return keysThisWeek;
  }

  public long getLastHourTotal() {
    return lastHourTotal;
  }

  public long getLast24HoursTotal() {
    return last24HoursTotal;
  }

  public String getMinuteChart() {
    return minuteChart;
  }

  public String getHourChart() {
    return hourChart;
  }

  public List<Traffic.TopKey> getTopKeys() {
    return topKeys;
  }

  public boolean isMirrorEnabled() {
    return mirror.isEnabled();
  }

  public Long getLagSeconds() {
    return lagSeconds;
  }
}
