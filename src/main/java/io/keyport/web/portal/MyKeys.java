package io.keyport.web.portal;

import io.keyport.keys.ApiKeys;
import io.keyport.keys.ExpiryReminders;
import io.keyport.keys.KeyView;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The "My API keys" page: the caller's keys, filterable by product, each deletable.
 *
 * <p>Lives in the session, which may be restored on another node: {@code keys} is a serialisable
 * client proxy of an application-scoped bean, live again wherever the bean is read back, and the
 * caller is read from each request rather than kept.
 */
@Named
@ViewScoped
public class MyKeys implements Serializable {

  private static final long serialVersionUID = 1L;

  @Inject private ApiKeys keys;
  @Inject private ExpiryReminders reminders;

  private List<KeyView> list;
  private List<KeyView> filtered;

  public void load() {
    list = keys.keysOf(Caller.name());
  }

  public void delete(UUID id) {
    try {
      KeyView key = keys.keyOf(Caller.name(), id);
      keys.delete(Caller.name(), id);
      Messages.info(Wording.text("keys.deleted", key.name()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    load();
    filtered = null;
  }

  /** The products the caller holds keys for, for the filter; plan-wide keys have none. */
  public List<String> getProducts() {
    return getList().stream()
        .map(KeyView::product)
        .filter(Objects::nonNull)
        .distinct()
        .sorted()
        .toList();
  }

  /** The caller's live keys that expire within 7 days, soonest first. */
  public List<KeyView> getExpiringSoon() {
    return reminders.dueAmong(getList());
  }

  public List<KeyView> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public List<KeyView> getFiltered() {
    return filtered;
  }

  public void setFiltered(List<KeyView> filtered) {
    this.filtered = filtered;
  }
}
