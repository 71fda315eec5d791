// Lint Cypher files with Neo4j's own language support (offline); parameters come from each
// file's `// param:` header lines so that only real syntax and semantic errors are reported.
import { lintCypherQuery } from '@neo4j-cypher/language-support';
import { readFileSync } from 'fs';
const files = process.argv.slice(2);
let bad = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const parameters = {};
  for (const m of text.matchAll(/^\/\/ param: (\w+): (\w+)(?: = (.*))?$/gm)) {
    const [, name, type, value] = m;
    parameters[name] = type === 'integer' || type === 'number' ? Number(value ?? 0) : (value ?? '');
  }
  const res = lintCypherQuery(text, { parameters });
  const errs = (res.diagnostics || res).filter(d => d.severity === 1);
  if (errs.length) { bad++; console.log(f, JSON.stringify(errs.map(e => e.message))); }
}
console.log(`linted ${files.length}, failing ${bad}`);
process.exit(bad ? 1 : 0);
