package io.keyport.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's connection pool. Everything about the database is read at run time from
 * MicroProfile Config ({@code keyport.db.*}, env {@code KEYPORT_DB_*}), never filled in at build
 * time. The launcher sets these for the embedded default.
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
      "fish.payara.connection-validation-method=auto-commit",
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
