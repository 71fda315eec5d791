// title: Moves on a date, ranked by size
// description: Every fell_by and rose_by on the given trading day, largest first, with the
// description: qualifier, the session and the number of sources behind each.
// param: date: date = 2025-01-27
// columns: entity, name, predicate, value, qualifier, session, sources
MATCH (e:Entity)-[m:FELL_BY|ROSE_BY]->(:Entity)
WHERE m.date = $date
RETURN e.id AS entity, e.name AS name, toLower(type(m)) AS predicate, m.value AS value,
       m.qualifier AS qualifier, m.session AS session, m.n_sources AS sources
ORDER BY value DESC, entity, predicate, session
