package io.keyport.identity;

/**
 * Every password verification slot is taken: the sign-in is refused at once ("try again in a
 * second") rather than queued behind a flood of guesses on the server's request threads.
 */
public class PasswordChecksBusy extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PasswordChecksBusy() {
    super("Keyport is busy checking other sign-ins; try again in a second.", null, false, false);
  }
}
