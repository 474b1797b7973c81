package io.keyport.web.admin;

import io.keyport.catalog.ProductDraft;
import io.keyport.catalog.RouteView;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** One editable row of the product editor's route table. */
public class RouteRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private String host;
  private String pathPrefix;
  private List<String> methods = new ArrayList<>();

  public RouteRow() {}

  static RouteRow of(RouteView route) {
    RouteRow row = new RouteRow();
    row.host = route.host();
    row.pathPrefix = route.pathPrefix();
    row.methods =
        route.methods() == null
            ? new ArrayList<>()
            : new ArrayList<>(List.of(route.methods().split(",")));
    return row;
  }

  ProductDraft.RouteDraft draft() {
    return new ProductDraft.RouteDraft(host, pathPrefix, methods == null ? List.of() : methods);
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getPathPrefix() {
    return pathPrefix;
  }

  public void setPathPrefix(String pathPrefix) {
    this.pathPrefix = pathPrefix;
  }

  public List<String> getMethods() {
    return methods;
  }

  public void setMethods(List<String> methods) {
    this.methods = methods;
  }
}
