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
  @Inject private KeyDetails details;

  public String report() {
    KeyView key = details.getKey();
    if (key == null) {
      return null;
    }
    try {
      leaks.reportedByOwner(Caller.name(), key.id());
      Messages.info(Wording.text("key.leak.done", key.name()));
      FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
      return "/portal/keys?faces-redirect=true";
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
      return null;
    }
  }
}
