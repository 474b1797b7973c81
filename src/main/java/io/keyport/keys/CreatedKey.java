package io.keyport.keys;

/**
 * A key just created: its details and its value. The value exists only in this object, which lives
 * for the request that shows it; nothing keeps it afterwards.
 */
public record CreatedKey(KeyView key, String value) {

  @Override
  public String toString() {
    return "CreatedKey[key=" + key + ", value=(not shown)]";
  }
}
