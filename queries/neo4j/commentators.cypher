// title: Who commented on an entity
// description: People and organisations who commented on `entity`, with their employer, role and quote.
// param: entity: entity = deepseek
// columns: speaker, name, employer, role, quote
// order: speaker, employer, quote
MATCH (s:Entity)-[c:COMMENTS_ON]->(:Entity {id: $entity})
OPTIONAL MATCH (s)-[w:WORKS_FOR]->(org:Entity)
RETURN s.id AS speaker, s.name AS name, org.name AS employer, w.role AS role, c.quote AS quote
