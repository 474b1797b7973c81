package io.keyport.notifications;

import io.keyport.audit.AuditLog;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook endpoints administrators register: list, read, create (the secret shown once), edit
 * on the version read, delete. Each change is audited; the secret never is.
 */
@ApplicationScoped
public class Webhooks {

  @PersistenceContext private EntityManager em;
  @Inject private AuditLog audit;

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<WebhookView> all() {
    return em.createQuery("select w from WebhookEndpoint w order by w.id", WebhookEndpoint.class)
        .getResultStream()
        .map(WebhookEndpoint::view)
        .toList();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public WebhookView get(long id) {
    return existing(id).view();
  }

  @Transactional
  public CreatedWebhook create(String actor, WebhookDraft draft) {
    WebhookDraft.Valid valid = require(draft).validate();
    String secret = WebhookSignature.newSecret();
    WebhookEndpoint endpoint =
        new WebhookEndpoint(secret, Instant.now().truncatedTo(ChronoUnit.MICROS));
    endpoint.apply(valid);
    em.persist(endpoint);
    em.flush();
    audit.record(actor, "webhook.created", "webhook", endpoint.getId().toString(), details(valid));
    return new CreatedWebhook(endpoint.view(), secret);
  }

  @Transactional
  public WebhookView update(String actor, long id, Long lockVersion, WebhookDraft draft) {
    WebhookEndpoint endpoint = existing(id);
    RequestRefused.requireLockVersion(lockVersion, "the webhook " + id);
    if (lockVersion != endpoint.getLockVersion()) {
      throw RequestRefused.versionConflict("the webhook " + id);
    }
    WebhookDraft.Valid valid = require(draft).validate();
    WebhookView before = endpoint.view();
    endpoint.apply(valid);
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw RequestRefused.versionConflict("the webhook " + id);
    }
    WebhookView after = endpoint.view();
    Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
    change(changed, "url", before.url(), after.url());
    change(changed, "description", before.description(), after.description());
    change(changed, "eventTypes", before.eventTypes(), after.eventTypes());
    change(changed, "enabled", before.enabled(), after.enabled());
    if (!changed.isEmpty()) {
      audit.recordChanges(actor, "webhook.updated", "webhook", Long.toString(id), changed);
    }
    return after;
  }

  /** Deletes an endpoint with its deliveries, pending ones included. */
  @Transactional
  public void delete(String actor, long id) {
    WebhookEndpoint endpoint = existing(id);
    WebhookView gone = endpoint.view();
    em.remove(endpoint);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("url", gone.url());
    details.put("eventTypes", gone.eventTypes());
    audit.record(actor, "webhook.deleted", "webhook", Long.toString(id), details);
  }

  private WebhookEndpoint existing(long id) {
    WebhookEndpoint endpoint = em.find(WebhookEndpoint.class, id);
    if (endpoint == null) {
      throw RequestRefused.notFound("There is no webhook endpoint " + id + ".");
    }
    return endpoint;
  }

  private static WebhookDraft require(WebhookDraft draft) {
    if (draft == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with url and eventTypes (see /openapi).");
    }
    return draft;
  }

  private static Map<String, Object> details(WebhookDraft.Valid valid) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("url", valid.url());
    details.put("description", valid.description());
    details.put("eventTypes", valid.eventTypes());
    details.put("enabled", valid.enabled());
    return details;
  }

  private static void change(
      Map<String, AuditLog.FieldChange> changed, String field, Object before, Object after) {
    if (!java.util.Objects.equals(before, after)) {
      changed.put(field, new AuditLog.FieldChange(before, after));
    }
  }
}
