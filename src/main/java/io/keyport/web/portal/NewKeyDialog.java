package io.keyport.web.portal;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
import io.keyport.keys.ApiKeys;
import io.keyport.keys.CreatedKey;
import io.keyport.keys.KubernetesSecret;
import io.keyport.keys.NewKey;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * The "add key" dialog. Request-scoped on purpose: the new key's value lives only for the request
 * that renders it, so it never sits in the session or the view state.
 */
@Named
@RequestScoped
public class NewKeyDialog {

  private static final Map<String, String> FIELDS =
      Map.of("apiKeyName", "newKeyForm:name", "expiresAt", "newKeyForm:expires");

  @Inject private ApiKeys keys;
  @Inject private Catalog catalog;
  @Inject private SecurityContext security;
  @Inject private FacesContext faces;

  /** What the key reaches: {@link #PRODUCT} (the default) or {@link #PLAN} (plan-wide). */
  static final String PRODUCT = "product";

  static final String PLAN = "plan";

  private String product;
  private String plan;
  private String reach = PRODUCT;
  private String name;
  private LocalDate expires;
  private CreatedKey created;

  /**
   * Opens the dialog for the product and plan the "Add key" button sent by value ({@code product},
   * {@code plan}). Nothing is trusted here: Generate refuses a product or plan the caller may not
   * have.
   */
  public void openChosen() {
    Map<String, String> sent = faces.getExternalContext().getRequestParameterMap();
    open(sent.get(PRODUCT), sent.get(PLAN));
  }

  /** Opens the dialog for a product's plan. */
  void open(String product, String plan) {
    this.product = product;
    this.plan = plan;
    this.reach = PRODUCT;
    this.name = null;
    this.expires = null;
  }

  public void generate() {
    try {
      created =
          keys.create(
              security.getCallerPrincipal().getName(),
              new NewKey(
                  name,
                  // A plan-wide key (SPEC §10) passes on every product that offers the plan.
                  PLAN.equals(reach) ? null : product,
                  plan,
                  Map.of(),
                  expires == null ? null : expires.atStartOfDay(ZoneOffset.UTC).toInstant()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
    }
  }

  public boolean isGenerated() {
    return created != null;
  }

  /** The key's value, only in the response to Generate. */
  public String getKeyValue() {
    return created == null ? null : created.value();
  }

  /** The new key's Kubernetes Secret without its value, for the page's download link. */
  public String getSecretWithoutValue() {
    return created == null
        ? null
        : KubernetesSecret.withoutValue(created.key(), security.getCallerPrincipal().getName());
  }

  public String getKeyName() {
    return created == null ? null : created.key().name();
  }

  public String getProductName() {
    String slug = chosen("product", product);
    return selectedProduct(slug).map(ProductView::displayName).orElse(slug);
  }

  public String getPlanName() {
    String name = chosen("plan", plan);
    return selectedProduct(chosen("product", product))
        .flatMap(p -> p.plans().stream().filter(x -> x.name().equals(name)).findFirst())
        .map(PlanView::displayName)
        .orElse(name);
  }

  public String getReachProductLabel() {
    return Wording.text("newKey.reach.product", getProductName());
  }

  public String getReachPlanLabel() {
    return Wording.text("newKey.reach.plan", getPlanName());
  }

  public LocalDate getTomorrow() {
    return LocalDate.now(ZoneOffset.UTC).plusDays(1);
  }

  private Optional<ProductView> selectedProduct(String slug) {
    return slug == null ? Optional.empty() : catalog.product(slug);
  }

  /**
   * The product or plan the dialog is for. A Generate that fails validation skips the model update,
   * so this bean has neither then; the dialog's hidden fields still carry them.
   */
  private String chosen(String field, String value) {
    return value != null
        ? value
        : faces.getExternalContext().getRequestParameterMap().get("newKeyForm:" + field);
  }

  public String getProduct() {
    return product;
  }

  public String getReach() {
    return reach;
  }

  public void setReach(String reach) {
    this.reach = PLAN.equals(reach) ? PLAN : PRODUCT;
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

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public LocalDate getExpires() {
    return expires;
  }

  public void setExpires(LocalDate expires) {
    this.expires = expires;
  }
}
