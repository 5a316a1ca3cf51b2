// The node and npm versions that package.json's "engines" accepts, against
// every package of package-lock.json (run by t/96 with node):
//
//   node t/lib/engines.mjs ROOT NODE_VERSION NPM_VERSION
//
// prints one JSON object: engines (package.json's), oldest (the oldest node
// and npm those accept), given (whether NODE_VERSION and NPM_VERSION are
// among them) and refused (per tool, "PACKAGE wants RANGE" for each package
// of the lock file that does not accept the oldest version).
import { readFileSync } from 'node:fs';
import semver from 'semver';

const [root, nodeVersion, npmVersion] = process.argv.slice(2);
if (!npmVersion) {
  process.stderr.write('usage: engines.mjs ROOT NODE_VERSION NPM_VERSION\n');
  process.exit(2);
}
const json = (file) => JSON.parse(readFileSync(`${root}/${file}`, 'utf8'));
const engines = json('package.json').engines ?? {};
const lock = json('package-lock.json');
const given = { node: nodeVersion, npm: npmVersion };
const out = { engines, oldest: {}, given: {}, refused: {} };

for (const tool of ['node', 'npm']) {
  const range = engines[tool];
  out.refused[tool] = [];
  if (typeof range !== 'string' || !semver.validRange(range)) continue;
  const oldest = semver.minVersion(range).version;
  out.oldest[tool] = oldest;
  out.given[tool] = semver.satisfies(given[tool], range);
  for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
    const want = pkg.engines?.[tool];
    if (path === '' || typeof want !== 'string') continue;
    if (!semver.satisfies(oldest, want))
      out.refused[tool].push(`${path.replace(/^.*node_modules\//, '')}@${pkg.version} wants ${want}`);
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
