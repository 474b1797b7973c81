package io.keyport.web.portal;

import io.keyport.keys.KeyLeaks;
import io.keyport.keys.KeyView;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Map;

/**
 * The key page's "Report as leaked": the owner's key is revoked at once, and the owner lands on the
 * key list, told to make a new key and move their clients to it.
 */
@Named
@RequestScoped
public class LeakReport {

  @Inject private KeyLeaks leaks;
  // The page's key as the view keeps it: the request's KeyDetails loads only after decoding.
  @Inject private KeyRolling page;

  public String report() {
    if (page.getKeyId() == null) {
      return null;
    }
    try {
      KeyView revoked = leaks.reportedByOwner(Caller.name(), page.getKeyId());
      Messages.info(Wording.text("key.leak.done", revoked.name()));
      FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
      return "/portal/keys?faces-redirect=true";
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
      return null;
    }
  }
}
