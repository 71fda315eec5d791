// title: Why a company fell
// description: The shortest explanations of a fall: from what triggered the day's event to the
// description: company, along the contagion channels (the event's own edges left out).
// param: target: entity = nvidia
// param: date: date = 2025-01-27
// param: max_hops: integer = 4
// param: channels: string = supplies,competes_with,uses,makes,developed,partner_of,invests_in
// columns: cause, event, path, edge_types, evidence, hops
// order: cause, event, path, edge_types
MATCH (t:Entity {id: $target})-[m:FELL_BY]->(ev:Entity)-[:TRIGGERED_BY]->(cause:Entity)
WHERE m.date = date($date)
MATCH q = (cause)-[:CHANNEL* ALL SHORTEST 1..4 (r, n | WHERE (',' + $channels + ',') CONTAINS (',' + r.via + ','))]->(t)
WHERE length(q) <= $max_hops
RETURN DISTINCT cause.id AS cause, ev.id AS event,
       list_to_string('>', properties(nodes(q), 'id')) AS path,
       list_to_string('>', properties(rels(q), 'via')) AS edge_types,
       list_to_string('>', properties(rels(q), 'n_sources')) AS evidence,
       length(q) AS hops
