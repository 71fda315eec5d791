// title: Suppliers and customers of a company
// description: Suppliers (upstream) and customers (downstream) of `company` up to `max_depth` steps of
// description: supplies (4 at most), at their shortest distance, with the product and exposure weight
// description: of direct links (one row per direct link).
// param: company: entity = nvidia
// param: max_depth: integer = 2
// columns: direction, entity, name, depth, product, weight
// order: direction, depth, entity, product
MATCH p = (s:Entity)-[:SUPPLIES*1..4]->(:Entity {id: $company})
WHERE length(p) <= $max_depth AND s.id <> $company
  AND all(u IN nodes(p) WHERE single(v IN nodes(p) WHERE v.id = u.id))
WITH s.id AS entity, s.name AS name, min(length(p)) AS depth
OPTIONAL MATCH (:Entity {id: entity})-[d:SUPPLIES]->(:Entity {id: $company})
RETURN 'supplier' AS direction, entity, name, depth, d.product AS product, d.weight AS weight
UNION ALL
MATCH p = (:Entity {id: $company})-[:SUPPLIES*1..4]->(c:Entity)
WHERE length(p) <= $max_depth AND c.id <> $company
  AND all(u IN nodes(p) WHERE single(v IN nodes(p) WHERE v.id = u.id))
WITH c.id AS entity, c.name AS name, min(length(p)) AS depth
OPTIONAL MATCH (:Entity {id: $company})-[d:SUPPLIES]->(:Entity {id: entity})
RETURN 'customer' AS direction, entity, name, depth, d.product AS product, d.weight AS weight
