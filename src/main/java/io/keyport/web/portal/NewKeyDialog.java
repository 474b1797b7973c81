package io.keyport.web.portal;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
import io.keyport.keys.ApiKeys;
import io.keyport.keys.CreatedKey;
import io.keyport.keys.NewKey;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Messages;
import jakarta.enterprise.context.RequestScoped;
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

  private String product;
  private String plan;
  private String name;
  private LocalDate expires;
  private CreatedKey created;

  /** Opens the dialog for a product's plan. */
  public void open(String product, String plan) {
    this.product = product;
    this.plan = plan;
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
                  product,
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

  public String getKeyName() {
    return created == null ? null : created.key().name();
  }

  public String getProductName() {
    return selectedProduct().map(ProductView::displayName).orElse(product);
  }

  public String getPlanName() {
    return selectedProduct()
        .flatMap(p -> p.plans().stream().filter(x -> x.name().equals(plan)).findFirst())
        .map(PlanView::displayName)
        .orElse(plan);
  }

  public LocalDate getTomorrow() {
    return LocalDate.now(ZoneOffset.UTC).plusDays(1);
  }

  private Optional<ProductView> selectedProduct() {
    return product == null ? Optional.empty() : catalog.product(product);
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
