package io.keyport.keys;

import java.time.Instant;

/**
 * A key just rolled: its details, its new value, and until when the previous value passes (now, for
 * a roll without grace). The value exists only in this object, for the request that shows it.
 */
public record RolledKey(KeyView key, String value, Instant previousValidUntil) {

  @Override
  public String toString() {
    return "RolledKey[key="
        + key
        + ", value=(not shown), previousValidUntil="
        + previousValidUntil
        + "]";
  }
}
