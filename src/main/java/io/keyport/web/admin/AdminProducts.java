package io.keyport.web.admin;

import io.keyport.catalog.ManagedProduct;
import io.keyport.catalog.Products;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;

/**
 * The admin list of API products: what is on offer, what is retired, and how many keys each has.
 */
@Named
@RequestScoped
public class AdminProducts {

  @Inject private Products products;

  private List<ManagedProduct> list;

  public void load() {
    list = products.all();
  }

  public List<ManagedProduct> getList() {
    if (list == null) {
      load();
    }
    return list;
  }
}
