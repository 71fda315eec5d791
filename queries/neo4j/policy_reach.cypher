// title: What a policy reaches
// description: Everything a policy reaches within max_hops steps: what it targets, the rules it
// description: covers, the makers of targeted products and their suppliers, with the fewest hops.
// param: policy: entity = us_export_controls
// param: max_hops: integer = 3
// param: channels: string = targets,part_of,makes,supplies
// columns: entity, name, type, hops, paths
// order: hops, entity
WITH ',' + $channels + ',' AS chs
MATCH p = (a:Entity {id: $policy})-[:CHANNEL*1..5]->(b:Entity)
WHERE length(p) <= $max_hops
  AND all(u IN nodes(p) WHERE single(v IN nodes(p) WHERE v.id = u.id))
  AND all(r IN relationships(p) WHERE chs CONTAINS (',' + r.via + ','))
WITH b.id AS entity, b.name AS name, b.type AS type, min(length(p)) AS hops, count(*) AS paths
RETURN entity, name, type, hops, paths
