package io.keyport.keys;

import java.util.Map;

/**
 * An admin's change to a key: another plan of its product, and/or its custom metadata as a whole
 * (null: leave as it is). {@code lockVersion} is the version the admin read, and is required.
 */
public record KeyChange(Long lockVersion, String plan, Map<String, String> metadata) {}
