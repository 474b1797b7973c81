package io.keyport.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's connection pool. Everything about the database is read at run time from
 * MicroProfile Config ({@code keyport.db.*}, env {@code KEYPORT_DB_*}), never filled in at build
 * time. The launcher sets these for the embedded default.
 *
 * <p>A pooled connection is validated with {@code SELECT 1} each time it is taken from the pool: a
 * connection whose server died or failed over (or that {@code pg_terminate_backend} ended) looks
 * open to the driver until it is used, and Payara's {@code auto-commit} validation never reaches
 * the server. The first dead one found makes the pool drop them all ({@code fail-all-connections}),
 * and new ones go where the URL leads now: with several hosts and {@code targetServerType=primary}
 * (see {@link DatabaseUrl}), to the current primary.
 */
@DataSourceDefinition(
    name = Database.JNDI_NAME,
    className = "org.postgresql.ds.PGSimpleDataSource",
    url = "${MPCONFIG=keyport.db.url}",
    user = "${MPCONFIG=keyport.db.user}",
    password = "${MPCONFIG=keyport.db.password}",
    minPoolSize = 2,
    maxPoolSize = 32,
    maxIdleTime = 300,
    properties = {
      "fish.payara.is-connection-validation-required=true",
      "fish.payara.connection-validation-method=custom-validation",
      "fish.payara.validation-classname="
          + "org.glassfish.api.jdbc.validation.PostgresConnectionValidation",
      "fish.payara.fail-all-connections=true",
      "fish.payara.connection-creation-retry-attempts=0",
      "connectTimeout=5",
      "socketTimeout=30",
      "ApplicationName=keyport"
    })
@ApplicationScoped
public class Database {
  public static final String JNDI_NAME = "java:app/jdbc/keyport";
}
