package io.keyport.mirror;

import java.util.regex.Pattern;

/**
 * The names Keyport itself uses in Redis, after {@code keyport.redis.key-prefix}: a key's UUID
 * (holding its hash), a key's hash (holding Gloo's JSON), a user's username (the set of their
 * hashes), and {@code keyport:...} for shared rate buckets and quotas ({@code
 * keyport:rate:<uuid>:…} and {@code keyport:quota:<uuid>:…}, see limits/SharedBuckets and
 * SharedQuotas). A username is used as a Redis name as it is, so it must never take one of the
 * other shapes: a user named like a UUID or a hash would have their key set collide with a key's
 * own entry.
 */
public final class RedisNames {

  static final Pattern UUID_NAME =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  static final Pattern HASH_NAME = Pattern.compile("[A-Za-z0-9+/]{43}=");
  private static final String OWN_NAMESPACE = "keyport:";

  private RedisNames() {}

  /**
   * Why this username cannot be a Redis set name next to Keyport's other entries, or null when it
   * can.
   */
  public static String usernameConflict(String username) {
    if (UUID_NAME.matcher(username).matches()) {
      return "it has the shape of an API key's id (a UUID)";
    }
    if (HASH_NAME.matcher(username).matches()) {
      return "it has the shape of an API key's hash";
    }
    if (username.regionMatches(true, 0, OWN_NAMESPACE, 0, OWN_NAMESPACE.length())) {
      return "names starting with keyport: are Keyport's own in Redis";
    }
    return null;
  }
}
