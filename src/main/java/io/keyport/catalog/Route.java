package io.keyport.catalog;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** What a gateway request must match to belong to a product: host, path prefix, methods. */
@Entity
@Table(name = "product_route")
public class Route {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @ManyToOne(optional = false)
  @JoinColumn(name = "product_id")
  private ApiProduct product;

  private String host;

  @Column(name = "path_prefix", nullable = false)
  private String pathPrefix;

  /** Comma-separated HTTP methods; null means every method. */
  private String methods;

  protected Route() {}

  Route(ApiProduct product, String host, String pathPrefix, String methods) {
    this.product = product;
    this.host = host;
    this.pathPrefix = pathPrefix;
    this.methods = methods;
  }

  public RouteView view() {
    return new RouteView(host, pathPrefix, methods);
  }
}
