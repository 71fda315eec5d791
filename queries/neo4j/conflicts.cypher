// title: Facts that disagree across sources
// description: Single-valued facts with more than one value (17% against 16.97%), each with its sources.
// columns: subject, predicate, object, value, qualifier, date, sources
// order: subject, predicate, object, date, value, qualifier
MATCH (a:Entity)-[r:FELL_BY|ROSE_BY|HEADQUARTERED_IN|SUBSIDIARY_OF]->(b:Entity)
WHERE r.conflicts
RETURN a.id AS subject, toLower(type(r)) AS predicate, b.id AS object, r.value AS value,
       r.qualifier AS qualifier, r.date AS date,
       reduce(s = head(r.sources), x IN tail(r.sources) | s + '|' + x) AS sources
UNION ALL
MATCH (a:Entity)-[:HAS_MEASURE]->(m:Measure)
WHERE m.conflicts
RETURN a.id AS subject, m.predicate AS predicate, null AS object, m.value AS value,
       m.qualifier AS qualifier, m.date AS date,
       reduce(s = head(m.sources), x IN tail(m.sources) | s + '|' + x) AS sources
