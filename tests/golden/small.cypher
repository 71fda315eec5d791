// ripplekg graph as idempotent Cypher (Neo4j 5; FalkorDB without the constraints)
// 10 entities, 12 facts, in the model of kg.push_bolt (`kg push bolt://...` writes the same)
// run: cypher-shell -f FILE  (MERGE + SET: running it again changes nothing)

CREATE CONSTRAINT `entity_id` IF NOT EXISTS FOR (n:`Entity`) REQUIRE n.`id` IS UNIQUE;

CREATE CONSTRAINT `measure_fact_id` IF NOT EXISTS FOR (n:`Measure`) REQUIRE n.`fact_id` IS UNIQUE;

CREATE CONSTRAINT `claim_fact_id` IF NOT EXISTS FOR (n:`Claim`) REQUIRE n.`fact_id` IS UNIQUE;

CREATE CONSTRAINT `evidence_id` IF NOT EXISTS FOR (n:`Evidence`) REQUIRE n.`id` IS UNIQUE;

// node Entity:AIModel: 1 row
UNWIND [
  {key: 'lumen_7', props: {type: 'AIModel', name: 'Lumen-7', aliases: []}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`AIModel`
RETURN count(*) AS written;

// node Entity:Company:Organization: 5 rows
UNWIND [
  {key: 'acme_chips', props: {type: 'Company', name: 'Acme Chips', aliases: ['ACME Chips Inc.', 'Acme'], country: 'US', ticker: 'ACMC'}},
  {key: 'borealis_power', props: {type: 'Company', name: 'Borealis "Power" & Grid', aliases: ['Borealis'], country: 'DE', ticker: 'BPG'}},
  {key: 'graph', props: {type: 'Company', name: '</script><script>alert(1)</script>', aliases: [], country: 'FR'}},
  {key: 'lumen_ai', props: {type: 'Company', name: 'Lumen AI', aliases: [], country: 'CN'}},
  {key: 'node', props: {type: 'Company', name: 'Nœud Énergie <b>SA</b>', aliases: [], country: 'FR'}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`Company`:`Organization`
RETURN count(*) AS written;

// node Entity:Event: 1 row
UNWIND [
  {key: 'sell_day', props: {type: 'Event', name: 'The Lumen selloff', aliases: [], date: '2025-03-03'}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`Event`
RETURN count(*) AS written;

// node Entity:Organization: 1 row
UNWIND [
  {key: 'northgate_research', props: {type: 'Organization', name: 'Northgate Research', aliases: []}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`Organization`
RETURN count(*) AS written;

// node Entity:Person: 1 row
UNWIND [
  {key: 'ada_vance', props: {type: 'Person', name: 'Ada Vance', aliases: []}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`Person`
RETURN count(*) AS written;

// node Entity:Policy: 1 row
UNWIND [
  {key: 'chip_curbs', props: {type: 'Policy', name: 'Chip export curbs', aliases: []}}
] AS row
MERGE (n:`Entity` {`id`: row.key})
SET n += row.props, n:`Policy`
RETURN count(*) AS written;

// node Measure: 1 row
UNWIND [
  {key: 'f9f41d1016416863', props: {predicate: 'market_cap_loss', value: 42000000000.0, unit: 'USD', qualifier: 'approx', date: '2025-03-03', n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false}}
] AS row
MERGE (n:`Measure` {`fact_id`: row.key})
SET n += row.props
RETURN count(*) AS written;

// node Claim: 12 rows
UNWIND [
  {key: 'f03e79c2fc09a32f', props: {predicate: 'fell_by', subject: 'borealis_power', object: 'sell_day'}},
  {key: 'f0e2ad583882e86b', props: {predicate: 'developed', subject: 'lumen_ai', object: 'lumen_7'}},
  {key: 'f0e4ec645f24ff68', props: {predicate: 'competes_with', subject: 'acme_chips', object: 'graph'}},
  {key: 'f0f62310bb83580a', props: {predicate: 'fell_by', subject: 'acme_chips', object: 'sell_day'}},
  {key: 'f18aabb9d7171706', props: {predicate: 'works_for', subject: 'ada_vance', object: 'northgate_research'}},
  {key: 'f39d633a871a3be5', props: {predicate: 'triggered_by', subject: 'sell_day', object: 'lumen_ai'}},
  {key: 'f4846413bd9d7feb', props: {predicate: 'rose_by', subject: 'node', object: 'sell_day'}},
  {key: 'f6a991710cf164f0', props: {predicate: 'targets', subject: 'chip_curbs', object: 'acme_chips'}},
  {key: 'f9f41d1016416863', props: {predicate: 'market_cap_loss', subject: 'acme_chips'}},
  {key: 'f9f424a86835c6a6', props: {predicate: 'supplies', subject: 'acme_chips', object: 'borealis_power'}},
  {key: 'fee56ac4e639ca0c', props: {predicate: 'supplies', subject: 'acme_chips', object: 'borealis_power'}},
  {key: 'fef3334547ac929f', props: {predicate: 'comments_on', subject: 'ada_vance', object: 'acme_chips'}}
] AS row
MERGE (n:`Claim` {`fact_id`: row.key})
SET n += row.props
RETURN count(*) AS written;

// node Evidence: 12 rows
UNWIND [
  {key: 'f03e79c2fc09a32f/0', props: {source: 'fixture wire', extractor: 'curated', confidence: 1.0}},
  {key: 'f0e2ad583882e86b/0', props: {source: 'fixture note', extractor: 'curated', confidence: 1.0}},
  {key: 'f0e4ec645f24ff68/0', props: {source: 'fixture note', extractor: 'curated', confidence: 1.0}},
  {key: 'f0f62310bb83580a/0', props: {source: 'fixture wire', quote: 'Acme Chips lost about 12.5% by the close.', extractor: 'curated', confidence: 1.0}},
  {key: 'f18aabb9d7171706/0', props: {source: 'fixture wire', extractor: 'curated', confidence: 1.0}},
  {key: 'f39d633a871a3be5/0', props: {source: 'fixture wire', extractor: 'curated', confidence: 1.0}},
  {key: 'f4846413bd9d7feb/0', props: {source: 'fixture wire', extractor: 'curated', confidence: 1.0}},
  {key: 'f6a991710cf164f0/0', props: {source: 'fixture note', extractor: 'curated', confidence: 1.0}},
  {key: 'f9f41d1016416863/0', props: {source: 'fixture wire', extractor: 'curated', confidence: 1.0}},
  {key: 'f9f424a86835c6a6/0', props: {source: 'fixture note', extractor: 'curated', confidence: 1.0}},
  {key: 'fee56ac4e639ca0c/0', props: {source: 'fixture supply list', extractor: 'curated', confidence: 1.0}},
  {key: 'fef3334547ac929f/0', props: {source: 'fixture wire', quote: 'A line with "quotes", a tab\tand a </script> tag should stay text.', extractor: 'curated', confidence: 1.0}}
] AS row
MERGE (n:`Evidence` {`id`: row.key})
SET n += row.props
RETURN count(*) AS written;

// rel COMMENTS_ON: 1 row
UNWIND [
  {key: 'fef3334547ac929f', src: 'ada_vance', dst: 'acme_chips', props: {date: '2025-03-03', n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false, quote: 'A line with "quotes", a tab\tand a </script> tag should stay text.', stance: 'negative'}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`COMMENTS_ON` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel COMPETES_WITH: 1 row
UNWIND [
  {key: 'f0e4ec645f24ff68', src: 'acme_chips', dst: 'graph', props: {n_sources: 1, sources: ['fixture note'], confidence: 1.0, conflicts: false}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`COMPETES_WITH` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel DEVELOPED: 1 row
UNWIND [
  {key: 'f0e2ad583882e86b', src: 'lumen_ai', dst: 'lumen_7', props: {n_sources: 1, sources: ['fixture note'], confidence: 1.0, conflicts: false}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`DEVELOPED` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel FELL_BY: 2 rows
UNWIND [
  {key: 'f03e79c2fc09a32f', src: 'borealis_power', dst: 'sell_day', props: {value: 7.0, unit: 'percent', date: '2025-03-03', n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false, session: 'intraday'}},
  {key: 'f0f62310bb83580a', src: 'acme_chips', dst: 'sell_day', props: {value: 12.5, unit: 'percent', qualifier: 'approx', date: '2025-03-03', n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false, session: 'close'}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`FELL_BY` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel ROSE_BY: 1 row
UNWIND [
  {key: 'f4846413bd9d7feb', src: 'node', dst: 'sell_day', props: {value: 3.0, unit: 'percent', date: '2025-03-03', n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false, session: 'close'}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`ROSE_BY` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel SUPPLIES: 2 rows
UNWIND [
  {key: 'f9f424a86835c6a6', src: 'acme_chips', dst: 'borealis_power', props: {n_sources: 1, sources: ['fixture note'], confidence: 1.0, conflicts: false, product: 'power modules'}},
  {key: 'fee56ac4e639ca0c', src: 'acme_chips', dst: 'borealis_power', props: {n_sources: 1, sources: ['fixture supply list'], confidence: 1.0, conflicts: false, product: 'gate drivers'}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`SUPPLIES` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel TARGETS: 1 row
UNWIND [
  {key: 'f6a991710cf164f0', src: 'chip_curbs', dst: 'acme_chips', props: {n_sources: 1, sources: ['fixture note'], confidence: 1.0, conflicts: false}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`TARGETS` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel TRIGGERED_BY: 1 row
UNWIND [
  {key: 'f39d633a871a3be5', src: 'sell_day', dst: 'lumen_ai', props: {n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`TRIGGERED_BY` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel WORKS_FOR: 1 row
UNWIND [
  {key: 'f18aabb9d7171706', src: 'ada_vance', dst: 'northgate_research', props: {n_sources: 1, sources: ['fixture wire'], confidence: 1.0, conflicts: false, role: 'chip analyst'}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`WORKS_FOR` {`fact_id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;

// rel HAS_MEASURE: 1 row
UNWIND [
  {src: 'acme_chips', dst: 'f9f41d1016416863', props: {}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Measure` {`fact_id`: row.dst})
MERGE (a)-[r:`HAS_MEASURE`]->(b)
RETURN count(*) AS written;

// rel HAS_EVIDENCE: 12 rows
UNWIND [
  {src: 'f03e79c2fc09a32f', dst: 'f03e79c2fc09a32f/0', props: {}},
  {src: 'f0e2ad583882e86b', dst: 'f0e2ad583882e86b/0', props: {}},
  {src: 'f0e4ec645f24ff68', dst: 'f0e4ec645f24ff68/0', props: {}},
  {src: 'f0f62310bb83580a', dst: 'f0f62310bb83580a/0', props: {}},
  {src: 'f18aabb9d7171706', dst: 'f18aabb9d7171706/0', props: {}},
  {src: 'f39d633a871a3be5', dst: 'f39d633a871a3be5/0', props: {}},
  {src: 'f4846413bd9d7feb', dst: 'f4846413bd9d7feb/0', props: {}},
  {src: 'f6a991710cf164f0', dst: 'f6a991710cf164f0/0', props: {}},
  {src: 'f9f41d1016416863', dst: 'f9f41d1016416863/0', props: {}},
  {src: 'f9f424a86835c6a6', dst: 'f9f424a86835c6a6/0', props: {}},
  {src: 'fee56ac4e639ca0c', dst: 'fee56ac4e639ca0c/0', props: {}},
  {src: 'fef3334547ac929f', dst: 'fef3334547ac929f/0', props: {}}
] AS row
MATCH (a:`Claim` {`fact_id`: row.src})
MATCH (b:`Evidence` {`id`: row.dst})
MERGE (a)-[r:`HAS_EVIDENCE`]->(b)
RETURN count(*) AS written;

// rel CHANNEL: 11 rows
UNWIND [
  {key: 'f0e4ec645f24ff68/acme_chips>graph', src: 'acme_chips', dst: 'graph', props: {via: 'competes_with', fact_id: 'f0e4ec645f24ff68', n_sources: 1}},
  {key: 'f9f424a86835c6a6/borealis_power>acme_chips', src: 'borealis_power', dst: 'acme_chips', props: {via: 'supplies', fact_id: 'f9f424a86835c6a6', n_sources: 1}},
  {key: 'fee56ac4e639ca0c/borealis_power>acme_chips', src: 'borealis_power', dst: 'acme_chips', props: {via: 'supplies', fact_id: 'fee56ac4e639ca0c', n_sources: 1}},
  {key: 'f6a991710cf164f0/chip_curbs>acme_chips', src: 'chip_curbs', dst: 'acme_chips', props: {via: 'targets', fact_id: 'f6a991710cf164f0', n_sources: 1}},
  {key: 'f0e4ec645f24ff68/graph>acme_chips', src: 'graph', dst: 'acme_chips', props: {via: 'competes_with', fact_id: 'f0e4ec645f24ff68', n_sources: 1}},
  {key: 'f0e2ad583882e86b/lumen_7>lumen_ai', src: 'lumen_7', dst: 'lumen_ai', props: {via: 'developed', fact_id: 'f0e2ad583882e86b', n_sources: 1}},
  {key: 'f0e2ad583882e86b/lumen_ai>lumen_7', src: 'lumen_ai', dst: 'lumen_7', props: {via: 'developed', fact_id: 'f0e2ad583882e86b', n_sources: 1}},
  {key: 'f39d633a871a3be5/lumen_ai>sell_day', src: 'lumen_ai', dst: 'sell_day', props: {via: 'triggered_by', fact_id: 'f39d633a871a3be5', n_sources: 1}},
  {key: 'f0f62310bb83580a/sell_day>acme_chips', src: 'sell_day', dst: 'acme_chips', props: {via: 'fell_by', fact_id: 'f0f62310bb83580a', n_sources: 1}},
  {key: 'f03e79c2fc09a32f/sell_day>borealis_power', src: 'sell_day', dst: 'borealis_power', props: {via: 'fell_by', fact_id: 'f03e79c2fc09a32f', n_sources: 1}},
  {key: 'f4846413bd9d7feb/sell_day>node', src: 'sell_day', dst: 'node', props: {via: 'rose_by', fact_id: 'f4846413bd9d7feb', n_sources: 1}}
] AS row
MATCH (a:`Entity` {`id`: row.src})
MATCH (b:`Entity` {`id`: row.dst})
MERGE (a)-[r:`CHANNEL` {`id`: row.key}]->(b)
SET r += row.props
RETURN count(*) AS written;
