// title: Why a company fell
// description: The shortest explanations of a fall: from what triggered the day's event to the
// description: company, along the contagion channels (the event's own edges left out).
// param: target: entity = nvidia
// param: date: date = 2025-01-27
// param: max_hops: integer = 4
// param: channels: string = supplies,competes_with,uses,makes,developed,partner_of,invests_in
// columns: cause, event, path, edge_types, evidence, hops
// order: cause, event, path, edge_types
WITH ',' + $channels + ',' AS chs
MATCH (t:Entity {id: $target})-[m:FELL_BY]->(ev:Entity)-[:TRIGGERED_BY]->(cause:Entity)
WHERE m.date = $date
MATCH p = (cause)-[:CHANNEL*1..4]->(t)
WHERE length(p) <= $max_hops
  AND all(u IN nodes(p) WHERE single(v IN nodes(p) WHERE v.id = u.id))
  AND all(r IN relationships(p) WHERE chs CONTAINS (',' + r.via + ','))
WITH chs, cause, ev, t, min(length(p)) AS fewest
MATCH q = (cause)-[:CHANNEL*1..4]->(t)
WHERE length(q) = fewest
  AND all(u IN nodes(q) WHERE single(v IN nodes(q) WHERE v.id = u.id))
  AND all(r IN relationships(q) WHERE chs CONTAINS (',' + r.via + ','))
WITH cause, ev, q, [n IN nodes(q) | n.id] AS ids, [r IN relationships(q) | r.via] AS vias,
     [r IN relationships(q) | toString(r.n_sources)] AS ns
RETURN DISTINCT cause.id AS cause, ev.id AS event,
       reduce(s = head(ids), x IN tail(ids) | s + '>' + x) AS path,
       reduce(s = head(vias), x IN tail(vias) | s + '>' + x) AS edge_types,
       reduce(s = head(ns), x IN tail(ns) | s + '>' + x) AS evidence,
       length(q) AS hops
