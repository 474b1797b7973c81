package io.keyport.web.portal;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.ProductView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;

/** The API products page: every product on offer with its plans. */
@Named
@RequestScoped
public class ProductCatalog {

  @Inject private Catalog catalog;

  private List<ProductView> products;

  public void load() {
    products = catalog.products();
  }

  public List<ProductView> getProducts() {
    if (products == null) {
      load();
    }
    return products;
  }
}
