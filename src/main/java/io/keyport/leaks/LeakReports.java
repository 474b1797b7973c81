package io.keyport.leaks;

import io.keyport.keys.KeyLeaks;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A verified secret-scanning report, handled whole in one transaction: the body's digest recorded
 * (a replay is refused before anything happens), then each reported value looked up by its HMAC,
 * and a live key revoked or only announced, as the operator chose.
 */
@ApplicationScoped
class LeakReports {

  static final String SCANNER = "GitHub secret scanning";

  /** One reported value, as the scanner sent it. */
  record Reported(String token, String type, String url, String source) {}

  /** What the scanner is told about one value: GitHub's {@code token_hash}, type and label. */
  record Finding(String tokenHash, String tokenType, String label) {}

  @PersistenceContext private EntityManager em;
  @Inject private KeyLeaks leaks;

  @Transactional
  List<Finding> handle(byte[] body, List<Reported> reported, boolean revoke) {
    int recorded =
        em.createNativeQuery(
                "insert into leak_report (body_sha256, scanner, tokens) values (?1, ?2, ?3)"
                    + " on conflict do nothing")
            .setParameter(1, sha256(body))
            .setParameter(2, "github")
            .setParameter(3, reported.size())
            .executeUpdate();
    if (recorded == 0) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "replayed_report",
          null,
          "This report was handled before; a replay changes nothing.");
    }
    List<Finding> findings = new ArrayList<>();
    for (Reported one : reported) {
      String where = one.url() == null ? one.source() : one.url();
      boolean ours = leaks.foundInPublic(SCANNER, one.token(), where, revoke);
      findings.add(
          new Finding(
              sha256(one.token().getBytes(StandardCharsets.UTF_8)),
              one.type(),
              ours ? "true_positive" : "false_positive"));
    }
    return findings;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
