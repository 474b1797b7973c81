package io.keyport.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";

  /**
   * The example of the Standard Webhooks specification, recomputed by hand:
   *
   * <pre>
   * KEYHEX=$(echo -n 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' | base64 -d | xxd -p -c 256)
   * printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' \
   *   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEYHEX -binary | base64
   * g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
   * </pre>
   */
  @Test
  void signsTheSpecificationsExample() {
    assertEquals(
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY));
  }

  @Test
  void everyPartIsSigned() {
    String signature = WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY);
    assertNotEquals(signature, WebhookSignature.sign(SECRET, ID + "x", TIMESTAMP, BODY));
    assertNotEquals(signature, WebhookSignature.sign(SECRET, ID, TIMESTAMP + 1, BODY));
    assertNotEquals(signature, WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY + " "));
    assertNotEquals(
        signature, WebhookSignature.sign(WebhookSignature.newSecret(), ID, TIMESTAMP, BODY));
  }

  @Test
  void newSecretsAreThirtyTwoRandomBytesAfterThePrefix() {
    String secret = WebhookSignature.newSecret();
    assertTrue(secret.startsWith("whsec_"), secret);
    assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
    assertNotEquals(secret, WebhookSignature.newSecret());
  }

  @Test
  void aSecretWithoutThePrefixIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> WebhookSignature.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, TIMESTAMP, BODY));
  }
}
