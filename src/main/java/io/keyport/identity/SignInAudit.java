package io.keyport.identity;

import io.keyport.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Map;

/**
 * Failed sign-ins in the audit trail, each in a transaction of its own (a refused sign-in has no
 * other). The actor is the account that was tried, or {@code anonymous} when none was named; the
 * client address is recorded by the audit log itself. A password is never part of an event.
 */
@ApplicationScoped
public class SignInAudit {

  static final String FAILED = "sign_in.failed";
  static final String THROTTLED = "sign_in.throttled";

  @Inject private AuditLog audit;

  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void failed(String account, String channel, String reason) {
    String who = account == null ? "anonymous" : account;
    audit.record(who, FAILED, "user", who, Map.of("channel", channel, "reason", reason));
  }

  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void throttled(
      String account, String scope, String address, String channel, Backoff.Lockout lockout) {
    String who = account == null ? "anonymous" : account;
    audit.record(
        who,
        THROTTLED,
        scope.equals("account") ? "user" : "client_address",
        scope.equals("account") ? who : address,
        Map.of(
            "scope",
            scope,
            "channel",
            channel,
            "failures",
            lockout.failures(),
            "retryAfterSeconds",
            lockout.retryAfter().toSeconds()));
  }
}
