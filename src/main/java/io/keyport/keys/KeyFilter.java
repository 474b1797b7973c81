package io.keyport.keys;

/**
 * What the admin's key search matches; each part null or blank for "any". {@code user} is part of
 * the owner's username or display name, {@code hint} the start of the key's hint (such as {@code
 * kp_9fA2}), {@code product} and {@code plan} exact names.
 */
public record KeyFilter(String user, String product, String plan, String hint, KeyStatus status) {

  public static final KeyFilter ANY = new KeyFilter(null, null, null, null, null);
}
