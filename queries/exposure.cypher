// title: Exposure to a shock within k hops
// description: Companies and indices a shock at `source` reaches in at most max_hops steps along
// description: the contagion channels, with the fewest hops, the number of simple paths, and the
// description: move observed on `date` (signed percent; the deepest when sources disagree).
// param: source: entity = deepseek
// param: max_hops: integer = 3
// param: date: date = 2025-01-27
// param: channels: string = supplies,competes_with,uses,makes,developed,partner_of,invests_in
// columns: entity, name, hops, paths, observed
// order: hops, entity
MATCH p = (a:Entity {id: $source})-[:CHANNEL* 1..5 (r, n | WHERE (',' + $channels + ',') CONTAINS (',' + r.via + ','))]->(b:Entity)
WHERE size(list_distinct(properties(nodes(p), 'id'))) = length(p) + 1 AND length(p) <= $max_hops
  AND b.type IN ['Company', 'Organization', 'MarketIndex']
WITH b.id AS entity, b.name AS name, min(length(p)) AS hops, count(*) AS paths
OPTIONAL MATCH (:Entity {id: entity})-[m:FELL_BY|ROSE_BY]->(:Entity)
WHERE m.date = date($date)
RETURN entity, name, hops, paths,
       min(CASE WHEN label(m) = 'FELL_BY' THEN -m.value ELSE m.value END) AS observed
