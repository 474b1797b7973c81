package io.keyport.keys;

import java.util.Map;

/**
 * An admin's change to a key: another plan of its product, its custom metadata as a whole, its
 * scopes (null: leave as it is), and its credits when {@code setsCredits} ({@code credits} null
 * removes the limit). {@code lockVersion} is the version the admin read, and is required.
 */
public record KeyChange(
    Long lockVersion,
    String plan,
    Map<String, String> metadata,
    KeyScopes scopes,
    boolean setsCredits,
    CreditGrant credits) {

  public KeyChange(Long lockVersion, String plan, Map<String, String> metadata) {
    this(lockVersion, plan, metadata, null, false, null);
  }
}
