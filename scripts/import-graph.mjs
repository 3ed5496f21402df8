// Measures the import graph of src/ with dependency-cruiser: files, arrows (imports between our own
// files, type-only imports included), cycles (strongly connected components of more than one file)
// and the longest chain of imports (in files, over the graph with each cycle collapsed to one node).
// Usage: node scripts/import-graph.mjs [dir]   (prints one JSON object)
import { cruise } from 'dependency-cruiser';

const dir = process.argv[2] ?? 'src';
const result = await cruise([dir], { tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: 'node_modules' } });
const modules = result.output.modules.filter((m) => m.source.startsWith(`${dir}/`));
const files = new Set(modules.map((m) => m.source));
const edges = new Map([...files].map((f) => [f, [...new Set(modules.find((m) => m.source === f).dependencies.map((d) => d.resolved).filter((r) => files.has(r)))]]));
const arrows = [...edges.values()].reduce((n, e) => n + e.length, 0);

// Tarjan's strongly connected components.
let index = 0;
const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], sccs = [];
function connect(v) {
  idx.set(v, index); low.set(v, index); index += 1; stack.push(v); onStack.add(v);
  for (const w of edges.get(v)) {
    if (!idx.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
    sccs.push(scc);
  }
}
for (const f of files) if (!idx.has(f)) connect(f);
const cycles = sccs.filter((s) => s.length > 1).map((s) => s.sort());
const sccOf = new Map();
sccs.forEach((s, i) => s.forEach((f) => sccOf.set(f, i)));

// Longest chain in the condensed DAG, counted in files (a collapsed cycle counts as its size).
const memo = new Map();
function longest(c) {
  if (memo.has(c)) return memo.get(c);
  let best = { length: 0, path: [] };
  for (const f of sccs[c]) for (const w of edges.get(f)) {
    const d = sccOf.get(w);
    if (d === c) continue;
    const sub = longest(d);
    if (sub.length > best.length) best = sub;
  }
  const here = { length: sccs[c].length + best.length, path: [sccs[c].length > 1 ? `[cycle of ${sccs[c].length}]` : sccs[c][0], ...best.path] };
  memo.set(c, here);
  return here;
}
let chain = { length: 0, path: [] };
for (let c = 0; c < sccs.length; c += 1) { const l = longest(c); if (l.length > chain.length) chain = l; }

console.log(JSON.stringify({ files: files.size, arrows, cycles: cycles.length, filesInCycles: cycles.reduce((n, c) => n + c.length, 0), cycleSets: cycles, longestChain: chain.length, longestChainPath: chain.path }, null, 2));
