package io.keyport.web.portal;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.ProductView;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The API product page for developers: description, routes, plans with their limits, and the
 * OpenAPI document, which Swagger UI (served from the WAR) renders from the REST API. View-scoped,
 * so the product is still there when an Add key button on the page posts back.
 */
@Named
@ViewScoped
public class ProductDetails implements Serializable {

  private static final long serialVersionUID = 1L;

  @Inject private Catalog catalog;

  private String slug;
  private ProductView product;

  public void load() {
    product = slug == null ? null : catalog.product(slug).orElse(null);
  }

  public ProductView getProduct() {
    return product;
  }

  /** The administrator's metadata of the product, sorted by name, for the page to list. */
  public List<Map.Entry<String, String>> getMetadata() {
    return product == null ? List.of() : List.copyOf(product.metadata().entrySet());
  }

  /** Where Swagger UI fetches the document: the portal's own API, with the session cookie. */
  public String getSchemaUrl() {
    return FacesContext.getCurrentInstance().getExternalContext().getRequestContextPath()
        + "/api/v1/api-products/"
        + product.slug()
        + "/schema";
  }

  public String getSlug() {
    return slug;
  }

  public void setSlug(String slug) {
    this.slug = slug;
  }
}
