package io.keyport.identity;

/** The two roles of SPEC §1, as the container and the database name them. */
public final class Roles {
  public static final String DEVELOPER = "developer";
  public static final String ADMIN = "admin";

  private Roles() {}
}
