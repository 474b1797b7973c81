package io.keyport.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

/** The database identity store: local users with PBKDF2 password hashes. */
@ApplicationScoped
public class PortalIdentityStore implements IdentityStore {

  @Inject private Users users;

  @Override
  public CredentialValidationResult validate(Credential credential) {
    if (!(credential instanceof UsernamePasswordCredential login)) {
      return CredentialValidationResult.NOT_VALIDATED_RESULT;
    }
    return users
        .authenticate(login.getCaller(), login.getPassword().getValue())
        .map(user -> new CredentialValidationResult(user.username(), user.roles()))
        .orElse(CredentialValidationResult.INVALID_RESULT);
  }
}
