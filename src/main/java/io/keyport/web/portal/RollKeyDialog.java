package io.keyport.web.portal;

import io.keyport.keys.ApiKeys;
import io.keyport.keys.KubernetesSecret;
import io.keyport.keys.RolledKey;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/**
 * The "roll key" dialog on the key page: the grace of the current value, then the new value shown
 * once. Request-scoped, as the new-key dialog: the value lives only for the request that shows it.
 */
@Named
@RequestScoped
public class RollKeyDialog {

  static final String UNTIL = "until";
  private static final long MAX_GRACE_SECONDS = Duration.ofDays(30).toSeconds();
  private static final Map<String, String> FIELDS =
      Map.of("gracePeriodSeconds", "rollKeyForm:grace");

  @Inject private ApiKeys keys;
  @Inject private SecurityContext security;
  @Inject private KeyRolling page;

  private String grace = "3600";
  private LocalDateTime until;
  private RolledKey rolled;

  public void roll() {
    Long seconds = graceSeconds();
    if (seconds == null) {
      return;
    }
    try {
      rolled = keys.roll(caller(), page.getKeyId(), seconds);
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
    }
  }

  /** The grace in seconds, from a choice or a chosen time; null (with a message) when unusable. */
  private Long graceSeconds() {
    if (!UNTIL.equals(grace)) {
      try {
        return Long.valueOf(grace);
      } catch (NumberFormatException e) {
        return 0L;
      }
    }
    if (until == null) {
      Messages.error("rollKeyForm:until", Wording.text("key.roll.untilMissing"));
      return null;
    }
    long seconds = Duration.between(Instant.now(), until.toInstant(ZoneOffset.UTC)).toSeconds();
    if (seconds <= 0 || seconds > MAX_GRACE_SECONDS) {
      Messages.error("rollKeyForm:until", Wording.text("key.roll.untilPast"));
      return null;
    }
    return seconds;
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }

  public boolean isRolled() {
    return rolled != null;
  }

  /** The new value, only in the response to Roll. */
  public String getKeyValue() {
    return rolled == null ? null : rolled.value();
  }

  /** Until when the previous value passes; equal to the roll's moment for a roll without grace. */
  public Instant getPreviousValidUntil() {
    return rolled == null ? null : rolled.previousValidUntil();
  }

  public boolean isPreviousStillValid() {
    return rolled != null && rolled.previousValidUntil().isAfter(Instant.now());
  }

  /** The rolled key's Kubernetes Secret without its value, for the page's download link. */
  public String getSecretWithoutValue() {
    return rolled == null ? null : KubernetesSecret.withoutValue(rolled.key(), caller());
  }

  public LocalDateTime getEarliest() {
    return LocalDateTime.now(ZoneOffset.UTC);
  }

  public LocalDateTime getLatest() {
    return LocalDateTime.now(ZoneOffset.UTC).plusDays(30);
  }

  /** The key the page shows. */
  public UUID getKeyId() {
    return page.getKeyId();
  }

  public String getGrace() {
    return grace;
  }

  public void setGrace(String grace) {
    this.grace = grace;
  }

  public LocalDateTime getUntil() {
    return until;
  }

  public void setUntil(LocalDateTime until) {
    this.until = until;
  }
}
