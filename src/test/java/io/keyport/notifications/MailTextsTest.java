package io.keyport.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MailTextsTest {

  private static Map<String, Object> key() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("keyId", "5b0c1f3e-0000-4000-8000-000000000001");
    data.put("name", "ci <deploy>");
    data.put("hint", "kp_9fA2…");
    data.put("apiProduct", "petstore");
    data.put("usagePlan", "gold");
    data.put("owner", "dev@example.com");
    data.put("createdAt", "2026-12-01T10:00:00Z");
    data.put("expiresAt", "2026-12-08T09:30:00Z");
    data.put("reason", "rotated by the security team");
    return data;
  }

  @Test
  void everyMailedEventHasASubjectATextAndTheSameAsEscapedHtml() {
    for (EventType type : EventType.values()) {
      if (type.mail() == EventType.Mail.NONE) {
        continue;
      }
      Map<String, Object> data = key();
      data.put("threshold", 80.0);
      data.put("used", 4000.0);
      data.put("quota", 5000.0);
      data.put("month", "2026-12");
      MailTexts.Mail mail = MailTexts.of(type.wireName(), data);
      for (String part : new String[] {mail.subject(), mail.text(), mail.html()}) {
        assertFalse(part.matches("(?s).*\\{\\d}.*"), type + " leaves no placeholder: " + part);
      }
      assertTrue(mail.html().startsWith("<!DOCTYPE html>"), mail.html());
      assertFalse(mail.html().contains("<deploy>"), "the key name is escaped in HTML");
      assertTrue(mail.text().contains("profile page"), "the footer says how to opt out");
    }
  }

  @Test
  void keyMailsNameTheKeyItsHintProductPlanAndTime() {
    MailTexts.Mail expiring = MailTexts.of("key.expiring", key());
    assertEquals(
        "Your API key ci <deploy> (kp_9fA2…) expires 8 Dec 2026, 09:30 UTC", expiring.subject());
    assertTrue(expiring.text().contains("for petstore, plan gold, expires on 8 Dec 2026"));
    assertTrue(expiring.html().contains("ci &lt;deploy&gt; (kp_9fA2…)"), expiring.html());
    MailTexts.Mail revoked = MailTexts.of("key.revoked_by_admin", key());
    assertTrue(revoked.text().contains("The reason given: rotated by the security team"));
  }

  @Test
  void quotaMailsCountWholeRequests() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("apiProduct", "petstore");
    data.put("usagePlan", "gold");
    data.put("threshold", 100.0);
    data.put("used", 5000.0);
    data.put("quota", 5000.0);
    data.put("month", "2026-12");
    MailTexts.Mail mail = MailTexts.of("quota.threshold", data);
    assertEquals("100% of your monthly quota on petstore (gold) used", mail.subject());
    assertTrue(mail.text().contains("used 5000 of the 5000 requests"), mail.text());
  }

  @Test
  void theBodyRoundTripsThroughTheStoredJson() {
    String body =
        Notifications.body(EventType.KEY_CREATED, Instant.parse("2026-12-04T12:00:00Z"), key());
    assertTrue(
        body.startsWith("{\"type\":\"key.created\",\"timestamp\":\"2026-12-04T12:00:00Z\""), body);
    assertEquals("ci <deploy>", Notifications.data(body).get("name"));
  }
}
