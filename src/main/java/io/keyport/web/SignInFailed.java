package io.keyport.web;

import io.keyport.identity.OidcFailure;
import io.keyport.identity.OidcSettings;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The page a refused sign-in through the provider lands on: what went wrong, from the reason word
 * the mechanism put in the address, and what to do. The log holds the detail.
 */
@Named
@RequestScoped
public class SignInFailed {

  @Inject private FacesContext faces;
  @Inject private OidcSettings settings;

  public String getText() {
    String word = faces.getExternalContext().getRequestParameterMap().get("reason");
    OidcFailure.Reason reason = OidcFailure.Reason.of(word);
    String key =
        reason == null
            ? "oidc.failed.error"
            : reason.isTokenProblem() && reason != OidcFailure.Reason.EXPIRED
                ? "oidc.failed.token"
                : "oidc.failed." + reason.word();
    return Wording.text(key, settings.providerName());
  }
}
