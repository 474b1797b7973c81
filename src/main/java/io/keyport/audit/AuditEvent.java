package io.keyport.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Who did what to which thing, when, from where. Written once, never changed. */
@Entity
@Table(name = "audit_event")
public class AuditEvent {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "occurred_at", nullable = false, updatable = false)
  private Instant occurredAt;

  @Column(nullable = false, updatable = false)
  private String actor;

  @Column(nullable = false, updatable = false)
  private String action;

  @Column(name = "target_type", nullable = false, updatable = false)
  private String targetType;

  @Column(name = "target_id", nullable = false, updatable = false)
  private String targetId;

  @Column(updatable = false)
  private String details;

  @Column(name = "client_address", updatable = false)
  private String clientAddress;

  protected AuditEvent() {}

  AuditEvent(
      Instant occurredAt,
      String actor,
      String action,
      String targetType,
      String targetId,
      String details,
      String clientAddress) {
    this.occurredAt = occurredAt;
    this.actor = actor;
    this.action = action;
    this.targetType = targetType;
    this.targetId = targetId;
    this.details = details;
    this.clientAddress = clientAddress;
  }

  public AuditEntry entry() {
    return new AuditEntry(
        id, occurredAt, actor, action, targetType, targetId, details, clientAddress);
  }
}
