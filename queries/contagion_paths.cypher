// title: Contagion paths from a shock to a company
// description: Simple paths (no node twice) of at most max_hops steps along the contagion
// description: channels (the schema's `channels`: a demand shock runs from customer to supplier,
// description: a competitive one along competes_with), with each hop's edge type and evidence count.
// param: source: entity = deepseek
// param: target: entity = micron
// param: max_hops: integer = 4
// param: channels: string = supplies,competes_with,uses,makes,developed,partner_of,invests_in,triggered_by,fell_by
// columns: path, edge_types, evidence, hops
MATCH p = (a:Entity {id: $source})-[:CHANNEL* 1..5 (r, n | WHERE (',' + $channels + ',') CONTAINS (',' + r.via + ','))]->(b:Entity {id: $target})
WHERE size(list_distinct(properties(nodes(p), 'id'))) = length(p) + 1 AND length(p) <= $max_hops
RETURN list_to_string('>', properties(nodes(p), 'id')) AS path,
       list_to_string('>', properties(rels(p), 'via')) AS edge_types,
       list_to_string('>', properties(rels(p), 'n_sources')) AS evidence,
       length(p) AS hops
ORDER BY hops, path, edge_types
