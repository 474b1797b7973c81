package io.keyport.web.portal;

import io.keyport.identity.OidcFailure;
import io.keyport.identity.OidcSettings;
import io.keyport.identity.OidcSignIn;
import io.keyport.identity.Passwords;
import io.keyport.identity.SignedIn;
import io.keyport.identity.User;
import io.keyport.identity.Users;
import io.keyport.notifications.MailSettings;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The signed-in person's profile: who they are, changing their password (required after a temporary
 * one), and linking their identity at the provider to this account. Request-scoped, so no password
 * typed here outlives the request that sent it.
 */
@Named
@RequestScoped
public class MyProfile {

  private static final Logger LOG = Logger.getLogger(MyProfile.class.getName());
  private static final Map<String, String> FIELDS =
      Map.of(
          "currentPassword", "passwordForm:currentPassword",
          "newPassword", "passwordForm:newPassword");

  @Inject private Users users;
  @Inject private OidcSettings settings;
  @Inject private OidcSignIn oidc;
  @Inject private FacesContext faces;
  @Inject private MailSettings mail;

  private User user;
  private String currentPassword;
  private String newPassword;
  private String confirmPassword;
  private Boolean optionalMail;

  /** On the first visit (not on a postback, whose panels the lazy {@link #getUser} decides). */
  public void load() {
    if ("true".equals(external().getRequestParameterMap().get("linked"))) {
      Messages.info(Wording.text("profile.linkedNow", settings.providerName()));
    }
  }

  public void changePassword() {
    if (newPassword == null || !newPassword.equals(confirmPassword)) {
      Messages.error("passwordForm:confirmPassword", Wording.text("profile.confirmMismatch"));
      return;
    }
    char[] current = currentPassword == null ? null : currentPassword.toCharArray();
    char[] chosen = newPassword.toCharArray();
    try {
      users.changePassword(Caller.name(), current, chosen);
      SignedIn.renew((HttpServletRequest) external().getRequest(), Caller.name());
      Messages.info(Wording.text("profile.passwordChanged"));
      user = null;
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, FIELDS);
    } finally {
      if (current != null) {
        Arrays.fill(current, '\0');
      }
      Arrays.fill(chosen, '\0');
      currentPassword = null;
      newPassword = null;
      confirmPassword = null;
    }
  }

  /** Saves whether the person wants the optional notification e-mails. */
  public void saveMailChoice() {
    boolean wanted = Boolean.TRUE.equals(optionalMail);
    users.chooseOptionalMail(Caller.name(), wanted);
    Messages.info(Wording.text(wanted ? "profile.mail.on" : "profile.mail.off"));
    user = null;
  }

  /** Sends the browser to the provider; its answer links the identity there to this account. */
  public void link() throws IOException {
    try {
      external()
          .redirect(
              oidc.startLink((HttpServletRequest) external().getRequest(), Caller.name())
                  .toString());
    } catch (OidcFailure failure) {
      LOG.log(Level.INFO, "Linking could not start (" + failure.reason().word() + ")", failure);
      Messages.error(
          null, Wording.text("oidc.failed." + failure.reason().word(), settings.providerName()));
    }
  }

  private ExternalContext external() {
    return faces.getExternalContext();
  }

  public User getUser() {
    if (user == null) {
      user = users.find(Caller.name()).orElse(null);
    }
    return user;
  }

  /** Whether the person still signs in with a temporary password, which they must change now. */
  public boolean isPasswordChangeRequired() {
    return getUser() != null && user.isPasswordChangeRequired();
  }

  public boolean isLocal() {
    return getUser() != null && user.isLocal();
  }

  public boolean isLinked() {
    return getUser() != null && user.getOidcSubject() != null;
  }

  public boolean isLinkOffered() {
    return settings.mode().allowsOidc() && getUser() != null && !isLinked();
  }

  public String getProviderName() {
    return settings.providerName();
  }

  public String getLinkLabel() {
    return Wording.text("profile.link", settings.providerName());
  }

  /** Whether this Keyport sends e-mail at all (keyport.mail.host set). */
  public boolean isMailConfigured() {
    return mail.isConfigured();
  }

  public Boolean getOptionalMail() {
    if (optionalMail == null && getUser() != null) {
      optionalMail = user.isOptionalMail();
    }
    return optionalMail;
  }

  public void setOptionalMail(Boolean optionalMail) {
    this.optionalMail = optionalMail;
  }

  public int getMinLength() {
    return Passwords.MIN_LENGTH;
  }

  public String getCurrentPassword() {
    return currentPassword;
  }

  public void setCurrentPassword(String currentPassword) {
    this.currentPassword = currentPassword;
  }

  public String getNewPassword() {
    return newPassword;
  }

  public void setNewPassword(String newPassword) {
    this.newPassword = newPassword;
  }

  public String getConfirmPassword() {
    return confirmPassword;
  }

  public void setConfirmPassword(String confirmPassword) {
    this.confirmPassword = confirmPassword;
  }
}
