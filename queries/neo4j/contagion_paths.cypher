// title: Contagion paths from a shock to a company
// description: Simple paths (no node twice) of at most max_hops steps along the contagion
// description: channels (the schema's `channels`: a demand shock runs from customer to supplier,
// description: a competitive one along competes_with), with each hop's edge type and evidence count.
// param: source: entity = deepseek
// param: target: entity = micron
// param: max_hops: integer = 4
// param: channels: string = supplies,competes_with,uses,makes,developed,partner_of,invests_in,triggered_by,fell_by
// columns: path, edge_types, evidence, hops
WITH ',' + $channels + ',' AS chs
MATCH p = (a:Entity {id: $source})-[:CHANNEL*1..5]->(b:Entity {id: $target})
WHERE length(p) <= $max_hops
  AND all(u IN nodes(p) WHERE single(v IN nodes(p) WHERE v.id = u.id))
  AND all(r IN relationships(p) WHERE chs CONTAINS (',' + r.via + ','))
WITH p, [n IN nodes(p) | n.id] AS ids, [r IN relationships(p) | r.via] AS vias,
     [r IN relationships(p) | toString(r.n_sources)] AS ns
RETURN reduce(s = head(ids), x IN tail(ids) | s + '>' + x) AS path,
       reduce(s = head(vias), x IN tail(vias) | s + '>' + x) AS edge_types,
       reduce(s = head(ns), x IN tail(ns) | s + '>' + x) AS evidence,
       length(p) AS hops
ORDER BY hops, path, edge_types
