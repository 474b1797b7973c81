package io.keyport.notifications;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A URL that an administrator registered to receive the events of some types, signed. */
@Entity
@Table(name = "webhook_endpoint")
public class WebhookEndpoint {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false)
  private String url;

  private String description;

  @Column(nullable = false, updatable = false)
  private String secret;

  private boolean enabled;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "webhook_subscription", joinColumns = @JoinColumn(name = "endpoint_id"))
  @Column(name = "event_type")
  private Set<String> eventTypes = new TreeSet<>();

  @Version
  @Column(name = "lock_version")
  private long lockVersion;

  protected WebhookEndpoint() {}

  WebhookEndpoint(String secret, Instant createdAt) {
    this.secret = secret;
    this.createdAt = createdAt;
  }

  void apply(WebhookDraft.Valid draft) {
    this.url = draft.url();
    this.description = draft.description();
    this.enabled = draft.enabled();
    this.eventTypes.clear();
    this.eventTypes.addAll(draft.eventTypes());
  }

  Long getId() {
    return id;
  }

  long getLockVersion() {
    return lockVersion;
  }

  /** The endpoint as admins see it, without its secret. */
  WebhookView view() {
    return new WebhookView(
        id, url, description, List.copyOf(eventTypes), enabled, createdAt, lockVersion);
  }
}
