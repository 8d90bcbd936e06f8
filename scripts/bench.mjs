// Benchmark dispatcher:
//   node scripts/bench.mjs --suite <name|all> [--quick] [--json FILE (default bench-results.json)]
//                          [--compare BASELINE.json [--report-only]] [--write-baseline FILE]
// Every figure a suite reports is a ratio to a reference measured in the same
// run, so results compare across machines. --compare checks each ratio against
// the baseline with the tolerance the suite states for that metric (`better`:
// lower|higher, `tolerance`: allowed relative change) and exits 1 on a
// regression unless --report-only (CI: its machines are noisy). A result may
// also carry an absolute `limit` (its target, e.g. 1.15x a plain transcode):
// the comparison says whether it is met, and counts misses apart from regressions.
// Suites live in bench/<name>.mjs and export `async function run({ quick })`
// returning `{ suite, results: [...], ... }`; they import the library from dist/,
// so this builds the TypeScript first (a no-op when dist/ is up to date).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');

function parseArgs(argv) {
  const opts = { suite: 'all', quick: false, json: undefined, compare: undefined, reportOnly: false, writeBaseline: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--suite') opts.suite = argv[++i];
    else if (a.startsWith('--suite=')) opts.suite = a.slice(8);
    else if (a === '--json') opts.json = argv[++i];
    else if (a.startsWith('--json=')) opts.json = a.slice(7);
    else if (a === '--compare') opts.compare = argv[++i];
    else if (a === '--report-only') opts.reportOnly = true;
    else if (a === '--write-baseline') opts.writeBaseline = argv[++i];
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (!opts.suite) throw new Error('--suite needs a name');
  if (opts.json === undefined && argv.includes('--json')) throw new Error('--json needs a file name');
  return opts;
}

const available = () =>
  readdirSync(benchDir)
    .filter((f) => f.endsWith('.mjs') && !f.startsWith('lib'))
    .map((f) => f.slice(0, -4))
    .sort();

function formatCell(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 1 : 3);
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Prints a suite's results as an aligned table (columns are the union of the rows' keys). */
export function printTable(result) {
  const rows = result.results ?? [];
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = [cols, ...rows.map((r) => cols.map((c) => formatCell(r[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write(`\n## ${result.suite}\n${line(cols)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells.slice(1)) process.stdout.write(`${line(row)}\n`);
}

/** The machine a run came from, stored with results and baselines. */
function machine() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryBytes: totalmem(), platform: `${platform()}-${arch()}`, node: process.version, date: new Date().toISOString() };
}

/** Compares ratios with a baseline; returns the number of regressions. */
export function compare(baseline, results) {
  const base = new Map();
  for (const suite of baseline.suites ?? [baseline]) {
    for (const r of suite.results ?? []) base.set(`${suite.suite} | ${r.name}`, r);
  }
  const rows = [];
  let regressions = 0;
  let missed = 0;
  const target = (r) => {
    if (typeof r.limit !== 'number') return '';
    const better = r.better ?? 'lower';
    const met = better === 'lower' ? r.ratio <= r.limit : r.ratio >= r.limit;
    if (!met) missed++;
    return `${better === 'lower' ? '<=' : '>='} ${r.limit}: ${met ? 'met' : 'MISSED'}`;
  };
  for (const suite of results) {
    for (const r of suite.results ?? []) {
      if (typeof r.ratio !== 'number') continue;
      const key = `${suite.suite} | ${r.name}`;
      const b = base.get(key);
      if (!b || typeof b.ratio !== 'number') {
        rows.push({ metric: key, baseline: '', now: r.ratio, change: '', tolerance: '', status: 'new', target: target(r) });
        continue;
      }
      const tolerance = r.tolerance ?? b.tolerance ?? 0.2;
      const better = r.better ?? b.better ?? 'lower';
      const change = b.ratio === 0 ? (r.ratio === 0 ? 0 : Infinity) : (r.ratio - b.ratio) / Math.abs(b.ratio);
      const worse = better === 'lower' ? r.ratio > b.ratio * (1 + tolerance) + 1e-12 : r.ratio < b.ratio * (1 - tolerance) - 1e-12;
      if (worse) regressions++;
      rows.push({
        metric: key,
        baseline: b.ratio,
        now: r.ratio,
        change: Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%` : 'inf',
        tolerance: `${(tolerance * 100).toFixed(0)}% (${better} is better)`,
        status: worse ? 'REGRESSION' : 'ok',
        target: target(r),
      });
    }
  }
  printTable({ suite: 'compare with baseline', results: rows });
  if (missed > 0) process.stderr.write(`bench: ${missed} metric(s) miss their target (limit); see the target column\n`);
  return regressions;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const suites = available();
  if (opts.help) {
    process.stdout.write(
      `usage: node scripts/bench.mjs --suite <${[...suites, 'all'].join('|')}> [--quick] [--json FILE]\n` +
        '                              [--compare BASELINE.json [--report-only]] [--write-baseline FILE]\n',
    );
    return;
  }
  const chosen = opts.suite === 'all' ? suites : [opts.suite];
  for (const s of chosen) {
    if (!suites.includes(s)) throw new Error(`no bench suite "${s}" (have: ${suites.join(', ')})`);
  }
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('TypeScript build failed; the bench imports from dist/');
  const results = [];
  for (const s of chosen) {
    process.stderr.write(`bench: running suite ${s}${opts.quick ? ' (quick)' : ''}…\n`);
    const mod = await import(pathToFileURL(join(benchDir, `${s}.mjs`)).href);
    if (typeof mod.run !== 'function') throw new Error(`bench/${s}.mjs does not export run()`);
    const result = await mod.run({ quick: opts.quick });
    printTable(result);
    results.push(result);
  }
  const payload = results.length === 1 && opts.suite !== 'all' ? { ...results[0], machine: machine(), quick: opts.quick } : { machine: machine(), quick: opts.quick, suites: results };
  // Results always land in a JSON file: --json FILE, else bench-results.json here.
  const jsonFile = opts.json ?? 'bench-results.json';
  writeFileSync(jsonFile, `${JSON.stringify(payload, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${jsonFile}\n`);
  if (opts.writeBaseline) {
    writeFileSync(opts.writeBaseline, `${JSON.stringify({ machine: machine(), quick: opts.quick, suites: results }, null, 2)}\n`);
    process.stderr.write(`bench: wrote baseline ${opts.writeBaseline}\n`);
  }
  if (opts.compare) {
    const regressions = compare(JSON.parse(readFileSync(opts.compare, 'utf8')), results);
    if (regressions > 0) {
      process.stderr.write(`bench: ${regressions} metric(s) regressed past their tolerance${opts.reportOnly ? ' (report only)' : ''}\n`);
      if (!opts.reportOnly) process.exitCode = 1;
    } else {
      process.stderr.write('bench: no regression past tolerance\n');
    }
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
