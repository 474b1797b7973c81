package io.keyport.identity;

/** A local user just created, with the temporary password that is shown this once. */
public record NewAccount(Account account, String temporaryPassword) {

  @Override
  public String toString() {
    return "NewAccount[" + account.username() + ", temporaryPassword=(not shown)]";
  }
}
