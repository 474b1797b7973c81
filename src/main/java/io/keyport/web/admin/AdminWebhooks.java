package io.keyport.web.admin;

import io.keyport.notifications.CreatedWebhook;
import io.keyport.notifications.EventType;
import io.keyport.notifications.MailSettings;
import io.keyport.notifications.WebhookDraft;
import io.keyport.notifications.WebhookView;
import io.keyport.notifications.Webhooks;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.primefaces.PrimeFaces;

/**
 * The admin page of webhook endpoints: register one (its signing secret shown once), edit, enable
 * or disable, delete; each links to its deliveries.
 */
@Named
@ViewScoped
public class AdminWebhooks implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Map<String, String> FIELDS =
      Map.of(
          "url", "endpointForm:url",
          "description", "endpointForm:description",
          "eventTypes", "endpointForm:eventTypes");

  @Inject private Webhooks webhooks;
  @Inject private WebhookSecret secret;
  @Inject private MailSettings mail;

  private List<WebhookView> list;

  private Long editingId;
  private long editingVersion;
  private String url;
  private String description;
  private List<String> eventTypes = new ArrayList<>();
  private boolean enabled = true;
  private Long createdId;

  public void load() {
    list = webhooks.all();
  }

  public void startCreate() {
    editingId = null;
    url = null;
    description = null;
    eventTypes = new ArrayList<>(getAllEventTypes());
    enabled = true;
    createdId = null;
  }

  public void startEdit(long id) {
    try {
      WebhookView endpoint = webhooks.get(id);
      editingId = endpoint.id();
      editingVersion = endpoint.lockVersion();
      url = endpoint.url();
      description = endpoint.description();
      eventTypes = new ArrayList<>(endpoint.eventTypes());
      enabled = endpoint.enabled();
      createdId = null;
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
      load();
    }
  }

  public void save() {
    WebhookDraft draft = new WebhookDraft(url, description, eventTypes, enabled);
    try {
      if (editingId == null) {
        CreatedWebhook created = webhooks.create(Caller.name(), draft);
        createdId = created.endpoint().id();
        secret.show(created.secret());
      } else {
        WebhookView saved = webhooks.update(Caller.name(), editingId, editingVersion, draft);
        Messages.info(Wording.text("admin.webhooks.saved", saved.url()));
        PrimeFaces.current().executeScript("PF('endpointDialog').hide()");
      }
      load();
      PrimeFaces.current().ajax().update("webhooksForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
    }
  }

  /** Closes the dialog; the secret was gone from the server once its response was sent. */
  public void finishCreate() {
    if (createdId != null) {
      Messages.info(Wording.text("admin.webhooks.createdNow", url));
    }
    createdId = null;
  }

  public void changeEnabled(WebhookView endpoint, boolean on) {
    try {
      webhooks.update(
          Caller.name(),
          endpoint.id(),
          endpoint.lockVersion(),
          new WebhookDraft(endpoint.url(), endpoint.description(), endpoint.eventTypes(), on));
      Messages.info(
          Wording.text(
              on ? "admin.webhooks.enabledNow" : "admin.webhooks.disabledNow", endpoint.url()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    load();
  }

  public void delete(WebhookView endpoint) {
    try {
      webhooks.delete(Caller.name(), endpoint.id());
      Messages.info(Wording.text("admin.webhooks.deletedNow", endpoint.url()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    load();
  }

  public List<WebhookView> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public List<String> getAllEventTypes() {
    return Arrays.stream(EventType.values()).map(EventType::wireName).toList();
  }

  /** Where e-mail goes, or empty when mail is off. */
  public String getMailServer() {
    return mail.describe();
  }

  public boolean isEditing() {
    return editingId != null;
  }

  public Long getCreatedId() {
    return createdId;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public List<String> getEventTypes() {
    return eventTypes;
  }

  public void setEventTypes(List<String> eventTypes) {
    this.eventTypes = eventTypes;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }
}
