package io.keyport.web.portal;

import io.keyport.keys.ApiKeys;
import io.keyport.keys.KeyView;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The key details page, for one of the caller's own keys. */
@Named
@RequestScoped
public class KeyDetails {

  @Inject private ApiKeys keys;
  @Inject private SecurityContext security;

  private String id;
  private KeyView key;

  public void load() {
    key = null;
    if (id == null) {
      return;
    }
    try {
      key = keys.keyOf(security.getCallerPrincipal().getName(), UUID.fromString(id));
    } catch (RequestRefused | IllegalArgumentException notFound) {
      // the page shows its "no such key" state
    }
  }

  public KeyView getKey() {
    return key;
  }

  public List<Map.Entry<String, String>> getMetadata() {
    return key == null ? List.of() : List.copyOf(key.metadata().entrySet());
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }
}
