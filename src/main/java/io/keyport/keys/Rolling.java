package io.keyport.keys;

import java.time.Instant;
import java.util.UUID;

/**
 * A key in the grace of a roll: the value it had before (known by its hint) still passes until
 * {@code previousValidUntil}.
 */
public record Rolling(UUID keyId, String previousHint, Instant previousValidUntil)
    implements java.io.Serializable {}
