package io.keyport.web.admin;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.UsagePlan;
import io.keyport.keys.AdminKeyView;
import io.keyport.keys.CreditGrant;
import io.keyport.keys.CreditsView;
import io.keyport.keys.KeyAdministration;
import io.keyport.keys.KeyChange;
import io.keyport.keys.KeyDirectory;
import io.keyport.keys.KeyLeaks;
import io.keyport.limits.UsageHistory;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Charts;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.primefaces.PrimeFaces;

/**
 * One key, for an administrator: its facts and usage (the charts the owner sees), a change of plan
 * among those its product offers, its custom metadata, its credits, and revocation with a reason.
 */
@Named
@ViewScoped
public class AdminKeyDetails implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Map<String, String> FIELDS =
      Map.of(
          "usagePlan", "keyForm:plan",
          "metadata", "keyForm:metadata");

  private static final Map<String, String> CREDIT_FIELDS =
      Map.of(
          "credits.remaining", "creditsForm:remaining",
          "credits.refill.amount", "creditsForm:refillAmount",
          "credits.refill.interval", "creditsForm:refillInterval");

  @Inject private KeyDirectory directory;
  @Inject private KeyAdministration keys;
  @Inject private KeyLeaks leaks;
  @Inject private Catalog catalog;
  @Inject private UsageHistory history;

  private String id;
  private AdminKeyView key;
  private List<PlanView> plans = List.of();
  private String plan;
  private List<MetadataRow> metadata = new ArrayList<>();
  private String hourlyChart;
  private String dailyChart;
  private long admittedThisMonth;
  private String reason;
  private boolean creditsLimited;
  private Long creditsRemaining;
  private String refillInterval;
  private Long refillAmount;

  public void load() {
    key = null;
    if (id == null) {
      return;
    }
    try {
      key = directory.key(UUID.fromString(id));
    } catch (RequestRefused | IllegalArgumentException notFound) {
      return; // the page shows its "no such key" state
    }
    show(key);
    UsageHistory.KeyUsage usage = history.of(key.id());
    hourlyChart = Charts.hourlyUsage(usage.hours());
    dailyChart = Charts.dailyUsage(usage.days());
    admittedThisMonth = usage.admittedThisMonth();
  }

  private void show(AdminKeyView shown) {
    key = shown;
    plan = shown.plan();
    plans =
        shown.product() == null // plan-wide: any plan a live product offers
            ? catalog.offeredPlans().stream().map(UsagePlan::view).toList()
            : catalog.product(shown.product()).map(p -> p.plans()).orElse(List.of());
    metadata = MetadataRow.of(shown.metadata());
    CreditsView credits = shown.credits();
    creditsLimited = credits != null;
    creditsRemaining = credits == null ? null : credits.remaining();
    refillInterval =
        credits == null || credits.refillInterval() == null ? "" : credits.refillInterval().name();
    refillAmount = credits == null ? null : credits.refillAmount();
  }

  /** Sets, changes or removes the key's credits; a refused value changes nothing. */
  public void saveCredits() {
    CreditGrant grant = null;
    if (creditsLimited) {
      boolean refills = refillInterval != null && !refillInterval.isEmpty();
      grant =
          new CreditGrant(
              creditsRemaining,
              refills ? new CreditGrant.Refill(refillAmount, refillInterval) : null);
    }
    try {
      AdminKeyView saved =
          keys.change(
              Caller.name(),
              key.id(),
              new KeyChange(key.lockVersion(), null, null, null, true, grant));
      show(saved);
      Messages.info(Wording.text("admin.keys.creditsSaved", saved.name()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, CREDIT_FIELDS);
    }
  }

  public void addEntry() {
    metadata.add(new MetadataRow());
  }

  public void removeEntry(int index) {
    if (index >= 0 && index < metadata.size()) {
      metadata.remove(index);
    }
  }

  public void save() {
    Map<String, String> entries;
    try {
      entries = MetadataRow.entries(metadata);
    } catch (MetadataRow.Duplicate duplicate) {
      Messages.error(
          "keyForm:metadata", Wording.text("admin.keys.duplicateMetadata", duplicate.name));
      return;
    }
    try {
      AdminKeyView saved =
          keys.change(Caller.name(), key.id(), new KeyChange(key.lockVersion(), plan, entries));
      show(saved);
      Messages.info(Wording.text("admin.keys.saved", saved.name()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
    }
  }

  public void revoke() {
    try {
      keys.revoke(Caller.name(), List.of(key.id()), reason);
      Messages.info(Wording.text("admin.keys.revoked", 1));
      reason = null;
      show(directory.key(key.id()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of("reason", "revokeForm:reason"));
      PrimeFaces.current().ajax().update("keyForm:messages");
    }
  }

  /**
   * Revokes the key as leaked: its owner is told that the value got out, not only that it ended.
   */
  public void reportLeaked() {
    try {
      leaks.reportedByAdmin(Caller.name(), key.id());
      Messages.info(Wording.text("admin.keys.leaked", key.name()));
      show(directory.key(key.id()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
      PrimeFaces.current().ajax().update("keyForm:messages");
    }
  }

  public boolean isRevoked() {
    return key != null && key.revokedAt() != null;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public AdminKeyView getKey() {
    return key;
  }

  public List<PlanView> getPlans() {
    return plans;
  }

  public String getPlan() {
    return plan;
  }

  public void setPlan(String plan) {
    this.plan = plan;
  }

  public List<MetadataRow> getMetadata() {
    return metadata;
  }

  public String getHourlyChart() {
    return hourlyChart;
  }

  public String getDailyChart() {
    return dailyChart;
  }

  public long getAdmittedThisMonth() {
    return admittedThisMonth;
  }

  public boolean isCreditsLimited() {
    return creditsLimited;
  }

  public void setCreditsLimited(boolean creditsLimited) {
    this.creditsLimited = creditsLimited;
  }

  public Long getCreditsRemaining() {
    return creditsRemaining;
  }

  public void setCreditsRemaining(Long creditsRemaining) {
    this.creditsRemaining = creditsRemaining;
  }

  public String getRefillInterval() {
    return refillInterval;
  }

  public void setRefillInterval(String refillInterval) {
    this.refillInterval = refillInterval;
  }

  public Long getRefillAmount() {
    return refillAmount;
  }

  public void setRefillAmount(Long refillAmount) {
    this.refillAmount = refillAmount;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
