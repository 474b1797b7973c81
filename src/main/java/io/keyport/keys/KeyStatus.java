package io.keyport.keys;

/** Whether a key passes the check today. */
public enum KeyStatus {
  ACTIVE,
  EXPIRED,
  REVOKED
}
