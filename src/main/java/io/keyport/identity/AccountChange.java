package io.keyport.identity;

import java.util.Set;

/**
 * An admin's change to a user: each field null for "leave as it is"; {@code lockVersion} is the
 * version the admin read, and is required.
 */
public record AccountChange(
    Long lockVersion, String displayName, Set<String> roles, Boolean enabled) {}
