package io.keyport.identity;

import java.util.Set;

/**
 * An admin's change to a user: each field null for "leave as it is"; {@code version} is the version
 * the admin read, and is required.
 */
public record AccountChange(Long version, String displayName, Set<String> roles, Boolean enabled) {}
