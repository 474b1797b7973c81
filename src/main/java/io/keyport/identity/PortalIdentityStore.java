package io.keyport.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

/**
 * The database identity store: local users with PBKDF2 password hashes. With {@code
 * keyport.auth.mode=oidc} it takes no password at all, so the provider is the only way in.
 */
@ApplicationScoped
public class PortalIdentityStore implements IdentityStore {

  @Inject private Users users;
  @Inject private OidcSettings settings;

  @Override
  public CredentialValidationResult validate(Credential credential) {
    if (!(credential instanceof UsernamePasswordCredential login)) {
      return CredentialValidationResult.NOT_VALIDATED_RESULT;
    }
    if (!settings.mode().allowsLocal()) {
      return CredentialValidationResult.INVALID_RESULT;
    }
    return users
        .authenticate(login.getCaller(), login.getPassword().getValue())
        .map(user -> new CredentialValidationResult(user.username(), user.roles()))
        .orElse(CredentialValidationResult.INVALID_RESULT);
  }
}
