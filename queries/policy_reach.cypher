// title: What a policy reaches
// description: Everything a policy reaches within max_hops steps: what it targets, the rules it
// description: covers, the makers of targeted products and their suppliers, with the fewest hops.
// param: policy: entity = us_export_controls
// param: max_hops: integer = 3
// param: channels: string = targets,part_of,makes,supplies
// columns: entity, name, type, hops, paths
// order: hops, entity
MATCH p = (a:Entity {id: $policy})-[:CHANNEL* 1..5 (r, n | WHERE (',' + $channels + ',') CONTAINS (',' + r.via + ','))]->(b:Entity)
WHERE size(list_distinct(properties(nodes(p), 'id'))) = length(p) + 1 AND length(p) <= $max_hops
WITH b.id AS entity, b.name AS name, b.type AS type, min(length(p)) AS hops, count(*) AS paths
RETURN entity, name, type, hops, paths
