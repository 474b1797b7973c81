package io.keyport.web.admin;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.ManagedProduct;
import io.keyport.catalog.OpenApiDocuments;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductDraft;
import io.keyport.catalog.Products;
import io.keyport.catalog.Retirement;
import io.keyport.catalog.RouteView;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The product editor: a new product (no {@code slug} parameter) or an existing one. Saving sends
 * everything to {@link Products} at once, with the version loaded, so a product another
 * administrator changed meanwhile is not overwritten; the service's refusals appear at their
 * fields.
 */
@Named
@ViewScoped
public class ProductEditor implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String FORM = "editor";
  private static final Pattern ROUTE_FIELD = Pattern.compile("routes\\[(\\d+)]\\.(\\w+)");

  @Inject private Products products;
  @Inject private Catalog catalog;
  @Inject private Wording wording;

  private String slug;
  private ManagedProduct product;
  private boolean missing;
  private boolean conflict;

  private String newSlug;
  private String displayName;
  private String description;
  private String version;
  private List<RouteRow> routes = new ArrayList<>();
  private List<String> plans = new ArrayList<>();
  private String openapi;
  private List<MetadataRow> metadata = new ArrayList<>();
  private OpenApiDocuments.Summary documentSummary;
  private List<PlanView> allPlans;

  public void load() {
    if (FacesContext.getCurrentInstance().isPostback()) {
      return;
    }
    allPlans = catalog.plans();
    if (slug == null || slug.isBlank()) {
      routes.add(new RouteRow());
      return;
    }
    try {
      product = products.get(slug);
    } catch (RequestRefused notFound) {
      missing = true;
      return;
    }
    newSlug = product.slug();
    displayName = product.product().displayName();
    description = product.product().description();
    version = product.product().version();
    routes = new ArrayList<>(product.product().routes().stream().map(RouteRow::of).toList());
    plans = new ArrayList<>(product.planNames());
    openapi = product.openapi();
    metadata = MetadataRow.of(product.product().metadata());
  }

  public void addMetadata() {
    metadata.add(new MetadataRow());
  }

  public void removeMetadata(int index) {
    if (index >= 0 && index < metadata.size()) {
      metadata.remove(index);
    }
  }

  public List<MetadataRow> getMetadata() {
    return metadata;
  }

  public void addRoute() {
    routes.add(new RouteRow());
  }

  public void removeRoute(RouteRow row) {
    routes.remove(row);
  }

  /** Reads the document in the text area now, before saving, and says what it found. */
  public void checkDocument() {
    documentSummary = null;
    if (openapi == null || openapi.isBlank()) {
      Messages.error(FORM + ":openapi", Wording.text("admin.catalog.openapi.none"));
      return;
    }
    try {
      documentSummary = OpenApiDocuments.check(openapi.strip());
    } catch (OpenApiDocuments.Rejected e) {
      Messages.error(FORM + ":openapi", e.getMessage());
    }
  }

  public String save() {
    conflict = false;
    Map<String, String> entries;
    try {
      entries = MetadataRow.entries(metadata);
    } catch (MetadataRow.Duplicate duplicate) {
      Messages.error(
          FORM + ":metadata", Wording.text("admin.keys.duplicateMetadata", duplicate.name));
      return null;
    }
    ProductDraft draft =
        new ProductDraft(
            newSlug,
            displayName,
            description,
            version,
            routes.stream().map(RouteRow::draft).toList(),
            plans,
            openapi,
            entries);
    String actor = Caller.name();
    ManagedProduct saved;
    try {
      saved =
          product == null
              ? products.create(actor, draft)
              : products.update(actor, product.slug(), product.lockVersion(), draft);
    } catch (RequestRefused refusal) {
      conflict = "version_conflict".equals(refusal.error());
      if (conflict) {
        Messages.error(null, Wording.text("admin.catalog.product.conflict"));
        return null;
      }
      Messages.refusedAt(refusal, this::clientId);
      Messages.error(null, Wording.text("admin.catalog.fixFields"));
      return null;
    }
    keepMessage(
        Wording.text(
            product == null ? "admin.catalog.product.created" : "admin.catalog.product.saved",
            saved.product().displayName()));
    return "/admin/product?faces-redirect=true&slug=" + saved.slug();
  }

  public String retire() {
    Retirement retired;
    try {
      retired = products.retire(Caller.name(), product.slug());
    } catch (RequestRefused refusal) {
      Messages.error(null, refusal.getMessage());
      return null;
    }
    keepMessage(
        Wording.text(
            "admin.catalog.product.retired",
            product.product().displayName(),
            retired.keysRevoked()));
    return "/admin/products?faces-redirect=true";
  }

  private static void keepMessage(String text) {
    Messages.info(text);
    FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
  }

  /** The input a service field name belongs to, or null for the page as a whole. */
  private String clientId(String field) {
    Matcher route = ROUTE_FIELD.matcher(field);
    if (route.matches()) {
      return FORM + ":routes:" + route.group(1) + ":" + route.group(2);
    }
    return switch (field) {
      case "slug" -> FORM + ":slug";
      case "displayName", "description", "version", "routes", "openapi", "metadata" ->
          FORM + ":" + field;
      case "usagePlans" -> FORM + ":plans";
      default -> null;
    };
  }

  /** The label of a plan in the plan picker: its name and its limit in words. */
  public String planLabel(PlanView plan) {
    return plan.displayName() + " (" + plan.name() + ") · " + wording.limit(plan);
  }

  public String getRetireQuestion() {
    return product == null
        ? ""
        : Wording.text(
            "admin.catalog.retire.question", product.product().displayName(), product.liveKeys());
  }

  public boolean isCreating() {
    return product == null;
  }

  public ManagedProduct getProduct() {
    return product;
  }

  public boolean isMissing() {
    return missing;
  }

  public boolean isConflict() {
    return conflict;
  }

  public List<String> getMethodChoices() {
    return RouteView.METHODS;
  }

  public List<PlanView> getAllPlans() {
    return allPlans;
  }

  public OpenApiDocuments.Summary getDocumentSummary() {
    return documentSummary;
  }

  public String getSlug() {
    return slug;
  }

  public void setSlug(String slug) {
    this.slug = slug;
  }

  public String getNewSlug() {
    return newSlug;
  }

  public void setNewSlug(String newSlug) {
    this.newSlug = newSlug;
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

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public List<RouteRow> getRoutes() {
    return routes;
  }

  public List<String> getPlans() {
    return plans;
  }

  public void setPlans(List<String> plans) {
    this.plans = plans;
  }

  public String getOpenapi() {
    return openapi;
  }

  public void setOpenapi(String openapi) {
    this.openapi = openapi;
  }
}
