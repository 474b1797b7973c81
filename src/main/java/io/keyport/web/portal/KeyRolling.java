package io.keyport.web.portal;

import io.keyport.keys.ApiKeys;
import io.keyport.keys.Rolling;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.Map;
import java.util.UUID;

/**
 * The key page's roll state: which key the page shows and its grace, if one runs. View-scoped so a
 * postback of the page's roll forms finds its key while the request is still being decoded (the
 * request-scoped {@link KeyDetails} loads it only later, in its view action). Never a key value.
 */
@Named
@ViewScoped
public class KeyRolling implements Serializable {

  private static final long serialVersionUID = 1L;

  @Inject private ApiKeys keys;

  private UUID keyId;
  private String keyName;
  private Rolling rolling;

  /** The page shows this key (null: none); called by {@link KeyDetails#load}. */
  void show(UUID keyId, String keyName) {
    this.keyId = keyId;
    this.keyName = keyName;
    this.rolling = keyId == null ? null : keys.rollingOf(Caller.name(), keyId).orElse(null);
  }

  /** Ends the grace of the key's previous value now, from the page's "End grace now" button. */
  public void endGrace() {
    if (keyId == null) {
      return;
    }
    try {
      keys.endGrace(Caller.name(), keyId);
      Messages.info(Wording.text("key.rolling.ended", keyName));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    rolling = keys.rollingOf(Caller.name(), keyId).orElse(null);
  }

  public boolean isShown() {
    return keyId != null;
  }

  public UUID getKeyId() {
    return keyId;
  }

  /** The grace of the key's previous value while it runs, else null. */
  public Rolling getRolling() {
    return rolling;
  }
}
