package io.keyport.identity;

import java.util.SortedSet;

/** A user as pages and the REST API show them. */
public record UserView(String username, String displayName, SortedSet<String> roles)
    implements java.io.Serializable {}
