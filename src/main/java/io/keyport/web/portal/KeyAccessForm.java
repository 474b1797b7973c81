package io.keyport.web.portal;

import io.keyport.keys.ApiKeys;
import io.keyport.keys.KeyEdit;
import io.keyport.keys.KeyScopes;
import io.keyport.keys.KeyView;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The key page's "Name, expiry and access" form: the owner renames the key, moves its expiry, sets
 * its IP allowlist (one range per line) or its scopes (methods, path prefixes), as {@code PATCH
 * /api/v1/api-keys/{id}} does. Shows the key's current values until the owner changes them.
 */
@Named
@RequestScoped
public class KeyAccessForm {

  private static final String FORM = "accessForm";
  private static final Map<String, String> FIELDS =
      Map.of(
          "apiKeyName", FORM + ":name",
          "expiresAt", FORM + ":expires",
          "allowedCidrs", FORM + ":allowlist",
          "scopes", FORM + ":pathPrefixes",
          "scopes.methods", FORM + ":methods",
          "scopes.pathPrefixes", FORM + ":pathPrefixes");

  /** The methods a key's scopes can name, in the order the form offers them. */
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  @Inject private ApiKeys keys;
  @Inject private KeyDetails details;

  private String name;
  private LocalDate expires;
  private String allowlist;
  private String[] methods;
  private String pathPrefixes;

  public String save() {
    KeyView key = details.getKey();
    if (key == null) {
      return null;
    }
    List<String> ranges = lines(allowlist);
    try {
      KeyView saved =
          keys.edit(
              Caller.name(),
              key.id(),
              new KeyEdit(
                  name,
                  expires == null ? null : expires.atStartOfDay(ZoneOffset.UTC).toInstant(),
                  ranges,
                  new KeyScopes(List.of(getMethods()), lines(getPathPrefixes())),
                  false,
                  null));
      Messages.info(Wording.text("key.access.saved", saved.name()));
      FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
      return "/portal/key?faces-redirect=true&id=" + saved.id();
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
      return null;
    }
  }

  public String getName() {
    return name != null ? name : current() == null ? null : current().name();
  }

  public void setName(String name) {
    this.name = name;
  }

  public LocalDate getExpires() {
    if (expires != null || current() == null || current().expiresAt() == null) {
      return expires;
    }
    return LocalDate.ofInstant(current().expiresAt(), ZoneOffset.UTC);
  }

  public void setExpires(LocalDate expires) {
    this.expires = expires;
  }

  public String getAllowlist() {
    return allowlist != null
        ? allowlist
        : current() == null ? null : String.join("\n", current().allowedCidrs());
  }

  public void setAllowlist(String allowlist) {
    this.allowlist = allowlist;
  }

  public List<String> getMethodChoices() {
    return METHODS;
  }

  public String[] getMethods() {
    if (methods != null) {
      return methods;
    }
    return current() == null ? new String[0] : current().scopes().methods().toArray(String[]::new);
  }

  public void setMethods(String[] methods) {
    this.methods = methods;
  }

  public String getPathPrefixes() {
    return pathPrefixes != null
        ? pathPrefixes
        : current() == null ? null : String.join("\n", current().scopes().pathPrefixes());
  }

  public void setPathPrefixes(String pathPrefixes) {
    this.pathPrefixes = pathPrefixes;
  }

  /** One entry per line (or comma): blank ones dropped. */
  private static List<String> lines(String text) {
    return Arrays.stream((text == null ? "" : text).split("[,\\s]+"))
        .filter(entry -> !entry.isEmpty())
        .toList();
  }

  public LocalDate getTomorrow() {
    return LocalDate.now(ZoneOffset.UTC).plusDays(1);
  }

  private KeyView current() {
    return details.getKey();
  }
}
