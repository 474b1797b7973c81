package io.keyport.web.portal;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.keys.ApiKeys;
import io.keyport.keys.KeyView;
import io.keyport.limits.UsageHistory;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Charts;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The key details page, for one of the caller's own keys. */
@Named
@RequestScoped
public class KeyDetails {

  @Inject private ApiKeys keys;
  @Inject private SecurityContext security;
  @Inject private UsageHistory history;
  @Inject private Catalog catalog;

  private String id;
  private KeyView key;
  private UsageHistory.KeyUsage usage;
  private PlanView plan;
  @Inject private KeyRolling rolling;

  public void load() {
    key = null;
    rolling.show(null, null);
    if (id == null) {
      return;
    }
    try {
      key = keys.keyOf(security.getCallerPrincipal().getName(), UUID.fromString(id));
    } catch (RequestRefused | IllegalArgumentException notFound) {
      return; // the page shows its "no such key" state
    }
    rolling.show(key.id(), key.name());
    usage = history.of(key.id());
    plan =
        catalog.plans().stream().filter(p -> p.name().equals(key.plan())).findFirst().orElse(null);
  }

  public KeyView getKey() {
    return key;
  }

  public List<Map.Entry<String, String>> getMetadata() {
    return key == null ? List.of() : List.copyOf(key.metadata().entrySet());
  }

  /** The key's IP allowlist as one line: "203.0.113.0/24, 2001:db8::/32". */
  public String getAllowlistText() {
    return key == null ? "" : String.join(", ", key.allowedCidrs());
  }

  public UsageHistory.KeyUsage getUsage() {
    return usage;
  }

  /** The plan's monthly quota, or null when it has none. */
  public Long getMonthlyQuota() {
    return plan == null ? null : plan.monthlyQuota();
  }

  public String getHourlyChart() {
    return usage == null ? null : Charts.hourlyUsage(usage.hours());
  }

  public String getDailyChart() {
    return usage == null ? null : Charts.dailyUsage(usage.days());
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }
}
