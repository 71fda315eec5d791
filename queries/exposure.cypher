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
// note: one OPTIONAL MATCH per path length, each switched off (its first edge refused) past
// note: $max_hops: Ladybug takes only literal hop bounds, and `* 1..5` then a length filter walked
// note: every 5-step path whatever max_hops (5.3 s for max_hops 2 on 10k nodes; 0.05 s this way).
// note: Simple paths are kept in the collect, not in the OPTIONAL MATCH's WHERE, where Ladybug
// note: 0.22 drops every row when the WHERE reads nodes(p); `ACYCLIC` lets nodes repeat.
MATCH (a:Entity {id: $source})
OPTIONAL MATCH p1 = (a)-[:CHANNEL* 1..1 (r, n | WHERE CASE WHEN $max_hops >= 1
    THEN (',' + $channels + ',') CONTAINS (',' + r.via + ',') ELSE false END)]->(b1:Entity)
WHERE b1.type IN ['Company', 'Organization', 'MarketIndex']
WITH a, collect(CASE WHEN size(list_distinct(properties(nodes(p1), 'id'))) = 2
    THEN b1.id END) AS l1
OPTIONAL MATCH p2 = (a)-[:CHANNEL* 2..2 (r, n | WHERE CASE WHEN $max_hops >= 2
    THEN (',' + $channels + ',') CONTAINS (',' + r.via + ',') ELSE false END)]->(b2:Entity)
WHERE b2.type IN ['Company', 'Organization', 'MarketIndex']
WITH a, l1, collect(CASE WHEN size(list_distinct(properties(nodes(p2), 'id'))) = 3
    THEN b2.id END) AS l2
OPTIONAL MATCH p3 = (a)-[:CHANNEL* 3..3 (r, n | WHERE CASE WHEN $max_hops >= 3
    THEN (',' + $channels + ',') CONTAINS (',' + r.via + ',') ELSE false END)]->(b3:Entity)
WHERE b3.type IN ['Company', 'Organization', 'MarketIndex']
WITH a, l1, l2, collect(CASE WHEN size(list_distinct(properties(nodes(p3), 'id'))) = 4
    THEN b3.id END) AS l3
OPTIONAL MATCH p4 = (a)-[:CHANNEL* 4..4 (r, n | WHERE CASE WHEN $max_hops >= 4
    THEN (',' + $channels + ',') CONTAINS (',' + r.via + ',') ELSE false END)]->(b4:Entity)
WHERE b4.type IN ['Company', 'Organization', 'MarketIndex']
WITH a, l1, l2, l3, collect(CASE WHEN size(list_distinct(properties(nodes(p4), 'id'))) = 5
    THEN b4.id END) AS l4
OPTIONAL MATCH p5 = (a)-[:CHANNEL* 5..5 (r, n | WHERE CASE WHEN $max_hops >= 5
    THEN (',' + $channels + ',') CONTAINS (',' + r.via + ',') ELSE false END)]->(b5:Entity)
WHERE b5.type IN ['Company', 'Organization', 'MarketIndex']
WITH a, l1, l2, l3, l4, collect(CASE WHEN size(list_distinct(properties(nodes(p5), 'id'))) = 6
    THEN b5.id END) AS l5
WITH l1 + l2 + l3 + l4 + l5 AS ids, size(l1) AS s1, size(l1) + size(l2) AS s2,
     size(l1) + size(l2) + size(l3) AS s3, size(l1) + size(l2) + size(l3) + size(l4) AS s4
UNWIND range(1, size(ids)) AS i
WITH ids[i] AS entity, CASE WHEN i <= s1 THEN 1 WHEN i <= s2 THEN 2 WHEN i <= s3 THEN 3
     WHEN i <= s4 THEN 4 ELSE 5 END AS k
WITH entity, min(k) AS hops, count(*) AS paths
MATCH (b:Entity {id: entity})
WITH entity, b.name AS name, hops, paths
OPTIONAL MATCH (:Entity {id: entity})-[m:FELL_BY|ROSE_BY]->(:Entity)
WHERE m.date = date($date)
RETURN entity, name, hops, paths,
       min(CASE WHEN label(m) = 'FELL_BY' THEN -m.value ELSE m.value END) AS observed
