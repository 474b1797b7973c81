package io.keyport.web.admin;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
import io.keyport.keys.AdminKeyView;
import io.keyport.keys.KeyAdministration;
import io.keyport.keys.KeyDirectory;
import io.keyport.keys.KeyFilter;
import io.keyport.keys.KeyStatus;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.primefaces.PrimeFaces;

/**
 * The admin's keys page: every user's keys, searched by user, product, plan, hint and status, and
 * revoked one or many at a time with a reason.
 */
@Named
@ViewScoped
public class AdminKeys implements Serializable {

  private static final long serialVersionUID = 1L;
  static final int LIMIT = 500;

  @Inject private KeyDirectory directory;
  @Inject private KeyAdministration keys;
  @Inject private Catalog catalog;

  private String user;
  private String product;
  private String plan;
  private String hint;
  private String status;
  private List<AdminKeyView> list;
  private long total;
  private List<AdminKeyView> selected = new ArrayList<>();
  private String reason;

  public void load() {
    KeyDirectory.Page page =
        directory.search(new KeyFilter(user, product, plan, hint, status()), 0, LIMIT);
    list = page.keys();
    total = page.total();
    selected = new ArrayList<>();
  }

  public void search() {
    load();
  }

  public void revoke() {
    try {
      List<AdminKeyView> revoked =
          keys.revoke(Caller.name(), selected.stream().map(AdminKeyView::id).toList(), reason);
      Messages.info(Wording.text("admin.keys.revoked", revoked.size()));
      reason = null;
      PrimeFaces.current().executeScript("PF('revokeDialog').hide()");
      load();
      PrimeFaces.current().ajax().update("keysForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of("reason", "revokeForm:reason", "ids", "revokeForm:ids"));
    }
  }

  private KeyStatus status() {
    return status == null || status.isBlank()
        ? null
        : KeyStatus.valueOf(status.toUpperCase(Locale.ROOT));
  }

  public List<ProductView> getProducts() {
    return catalog.products();
  }

  public List<PlanView> getPlans() {
    return catalog.plans();
  }

  public List<AdminKeyView> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public long getTotal() {
    return total;
  }

  public boolean isTruncated() {
    return total > getList().size();
  }

  public List<AdminKeyView> getSelected() {
    return selected;
  }

  public void setSelected(List<AdminKeyView> selected) {
    this.selected = selected == null ? new ArrayList<>() : selected;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  public String getProduct() {
    return product;
  }

  public void setProduct(String product) {
    this.product = product;
  }

  public String getPlan() {
    return plan;
  }

  public void setPlan(String plan) {
    this.plan = plan;
  }

  public String getHint() {
    return hint;
  }

  public void setHint(String hint) {
    this.hint = hint;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status =
        status == null
                || status.isBlank()
                || !List.of("active", "expired", "revoked").contains(status)
            ? null
            : status;
  }
}
