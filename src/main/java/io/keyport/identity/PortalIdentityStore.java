package io.keyport.identity;

import io.keyport.platform.Metrics;
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
  @Inject private Metrics metrics;

  @Override
  public CredentialValidationResult validate(Credential credential) {
    if (!(credential instanceof UsernamePasswordCredential login)) {
      return CredentialValidationResult.NOT_VALIDATED_RESULT;
    }
    CredentialValidationResult result =
        settings.mode().allowsLocal()
            ? users
                .authenticate(login.getCaller(), login.getPassword().getValue())
                .map(user -> new CredentialValidationResult(user.username(), user.roles()))
                .orElse(CredentialValidationResult.INVALID_RESULT)
            : CredentialValidationResult.INVALID_RESULT;
    if (result.getStatus() == CredentialValidationResult.Status.INVALID) {
      metrics.passwordSignInFailed();
    }
    return result;
  }
}
