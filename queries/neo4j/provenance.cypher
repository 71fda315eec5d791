// title: Provenance of an edge
// description: Every source behind the facts that link `subject` to `object` by `predicate`:
// description: the document, the quoted words, the extractor and its confidence.
// param: subject: entity = nvidia
// param: predicate: string = fell_by
// param: object: entity = selloff_2025_01_27
// columns: fact, source, quote, extractor, confidence
// order: fact, source, quote
MATCH (c:Claim)-[:HAS_EVIDENCE]->(e:Evidence)
WHERE c.subject = $subject AND c.predicate = $predicate AND c.object = $object
RETURN c.fact_id AS fact, e.source AS source, e.quote AS quote, e.extractor AS extractor,
       e.confidence AS confidence
