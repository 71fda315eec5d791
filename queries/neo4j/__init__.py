"""The query pack in portable Cypher 5 (Neo4j, FalkorDB over Bolt): same questions, headers and rows as ../NAME.cypher."""
