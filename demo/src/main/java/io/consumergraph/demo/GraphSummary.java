package io.consumergraph.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/** Reads node and relationship counts back from Neo4j for the demo's progress and summary. */
final class GraphSummary {

  private GraphSummary() {}

  static Map<String, Long> nodesByLabel(Driver driver) {
    return counts(
        driver,
        "MATCH (n) UNWIND labels(n) AS label RETURN label AS name, count(*) AS n ORDER BY name");
  }

  static Map<String, Long> relationshipsByType(Driver driver) {
    return counts(driver, "MATCH ()-[r]->() RETURN type(r) AS name, count(*) AS n ORDER BY name");
  }

  static long count(Driver driver, String cypher) {
    try (Session session = driver.session()) {
      return session.run(cypher).single().get(0).asLong();
    }
  }

  private static Map<String, Long> counts(Driver driver, String cypher) {
    Map<String, Long> result = new LinkedHashMap<>();
    try (Session session = driver.session()) {
      for (Record r : session.run(cypher).list()) {
        result.put(r.get("name").asString(), r.get("n").asLong());
      }
    }
    return result;
  }
}
