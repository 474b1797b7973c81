package io.keyport.web.admin;

import io.keyport.catalog.ManagedPlan;
import io.keyport.catalog.PlanDraft;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.RateUnit;
import io.keyport.catalog.UsagePlans;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/**
 * The usage plan editor: a new plan (no {@code name} parameter) or an existing one. Saving sends
 * everything to {@link UsagePlans} with the version loaded; refusals appear at their fields.
 */
@Named
@ViewScoped
public class PlanEditor implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String FORM = "planForm";

  @Inject private UsagePlans plans;

  private String name;
  private ManagedPlan plan;
  private boolean missing;
  private boolean conflict;

  private String newName;
  private String displayName;
  private String description;
  private boolean limited = true;
  private Integer requestsPerUnit;
  private String unit = RateUnit.MINUTE.name();
  private Long monthlyQuota;
  private Integer maxKeysPerUser;

  public void load() {
    if (FacesContext.getCurrentInstance().isPostback() || name == null || name.isBlank()) {
      return;
    }
    try {
      plan = plans.get(name);
    } catch (RequestRefused notFound) {
      missing = true;
      return;
    }
    PlanView p = plan.plan();
    newName = p.name();
    displayName = p.displayName();
    description = p.description();
    limited = p.limited();
    requestsPerUnit = p.requestsPerUnit();
    unit = p.limited() ? p.unit().name() : RateUnit.MINUTE.name();
    monthlyQuota = p.monthlyQuota();
    maxKeysPerUser = p.maxKeysPerUser();
  }

  public String save() {
    conflict = false;
    PlanDraft draft =
        new PlanDraft(
            newName,
            displayName,
            description,
            limited ? requestsPerUnit : null,
            limited ? unit : null,
            monthlyQuota,
            maxKeysPerUser);
    String actor = Caller.name();
    ManagedPlan saved;
    try {
      saved =
          plan == null
              ? plans.create(actor, draft)
              : plans.update(actor, plan.name(), plan.lockVersion(), draft);
    } catch (RequestRefused refusal) {
      conflict = "version_conflict".equals(refusal.error());
      if (conflict) {
        Messages.error(null, Wording.text("admin.catalog.plan.conflict"));
        return null;
      }
      Messages.refusedAt(refusal, PlanEditor::clientId);
      Messages.error(null, Wording.text("admin.catalog.fixFields"));
      return null;
    }
    Messages.info(
        Wording.text(
            plan == null ? "admin.catalog.plan.created" : "admin.catalog.plan.saved",
            saved.plan().displayName()));
    FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
    return "/admin/plans?faces-redirect=true";
  }

  private static String clientId(String field) {
    return switch (field) {
      case "name" -> FORM + ":name";
      case "displayName", "description" -> FORM + ":" + field;
      case "rateLimit.requestsPerUnit" -> FORM + ":requests";
      case "rateLimit.unit" -> FORM + ":unit";
      case "monthlyQuota" -> FORM + ":quota";
      case "maxKeysPerUser" -> FORM + ":maxKeys";
      default -> null;
    };
  }

  public List<String> getUnits() {
    return java.util.Arrays.stream(RateUnit.values()).map(RateUnit::name).toList();
  }

  public boolean isCreating() {
    return plan == null;
  }

  public ManagedPlan getPlan() {
    return plan;
  }

  public boolean isMissing() {
    return missing;
  }

  public boolean isConflict() {
    return conflict;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNewName() {
    return newName;
  }

  public void setNewName(String newName) {
    this.newName = newName;
  }

  public String getDisplayName() {
    return displayName;
  }

  public void setDisplayName(String displayName) {
    this.displayName = displayName;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public boolean isLimited() {
    return limited;
  }

  public void setLimited(boolean limited) {
    this.limited = limited;
  }

  public Integer getRequestsPerUnit() {
    return requestsPerUnit;
  }

  public void setRequestsPerUnit(Integer requestsPerUnit) {
    this.requestsPerUnit = requestsPerUnit;
  }

  public String getUnit() {
    return unit;
  }

  public void setUnit(String unit) {
    this.unit = unit;
  }

  public Long getMonthlyQuota() {
    return monthlyQuota;
  }

  public void setMonthlyQuota(Long monthlyQuota) {
    this.monthlyQuota = monthlyQuota;
  }

  public Integer getMaxKeysPerUser() {
    return maxKeysPerUser;
  }

  public void setMaxKeysPerUser(Integer maxKeysPerUser) {
    this.maxKeysPerUser = maxKeysPerUser;
  }
}
