// Turns each prebuilds/<triple>/maskflow.node into an npm package folder
// npm/<triple>/ named @maskflow/native-<triple>, napi-rs style: `os`, `cpu` and
// (on Linux) `libc` let npm install only the one matching the user's machine
// when the root package lists them all as optionalDependencies.
//   --prebuilds DIR     where the prebuilds are (default <root>/prebuilds)
//   --out DIR           where the package folders go (default <root>/npm, git-ignored)
//   --write-root        also write the optionalDependencies into the root package.json
//   --root-package FILE the package.json to read the version from / write (default <root>/package.json)
// Without --write-root the optionalDependencies are printed as JSON on stdout.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { log, root } from './lib/paths.mjs';

const { values } = parseArgs({
  options: {
    prebuilds: { type: 'string' },
    out: { type: 'string' },
    'write-root': { type: 'boolean', default: false },
    'root-package': { type: 'string' },
  },
});

function fail(message) {
  log(message);
  process.exit(1);
}

// Node's own names (process.platform / process.arch), which npm's os/cpu fields use.
const PLATFORMS = new Set(['aix', 'android', 'darwin', 'freebsd', 'linux', 'openbsd', 'sunos', 'win32']);
const ARCHES = new Set(['arm', 'arm64', 'ia32', 'loong64', 'mips', 'mipsel', 'ppc', 'ppc64', 'riscv64', 's390', 's390x', 'x64']);
// napi-rs spells the libc (and the ABI) in the last part of the triple; npm's libc field says glibc/musl.
const LIBC_SUFFIX = { gnu: 'glibc', gnueabihf: 'glibc', musl: 'musl', musleabihf: 'musl' };

/** `linux-x64-gnu` → { platform: 'linux', arch: 'x64', libc: 'gnu' } (the loader's PlatformInfo), or an error message. */
function parseTriple(triple) {
  const [platform, arch, abi, ...rest] = triple.split('-');
  if (rest.length > 0 || !PLATFORMS.has(platform) || !ARCHES.has(arch)) {
    return { error: `"${triple}" is not a <platform>-<arch>[-<abi>] triple Node knows` };
  }
  if (platform === 'linux') {
    if (!(abi in LIBC_SUFFIX)) return { error: `"${triple}": a Linux triple must end in -gnu or -musl (or -gnueabihf / -musleabihf on arm)` };
    return { platform, arch, libc: LIBC_SUFFIX[abi] === 'musl' ? 'musl' : 'gnu' };
  }
  return { platform, arch };
}

/** The package.json of one platform package. */
function platformPackageJson(triple, info, rootPkg) {
  const pkg = {
    name: `@maskflow/native-${triple}`,
    version: rootPkg.version,
    description: `The ${triple} native addon of maskflow (installed automatically with maskflow; not for direct use).`,
    license: rootPkg.license,
    os: [info.platform],
    cpu: [info.arch],
  };
  if (info.libc) pkg.libc = [info.libc === 'musl' ? 'musl' : 'glibc'];
  Object.assign(pkg, {
    main: 'maskflow.node',
    files: ['maskflow.node'],
    ...(rootPkg.engines ? { engines: rootPkg.engines } : {}),
    ...(rootPkg.repository ? { repository: rootPkg.repository } : {}),
  });
  return pkg;
}

async function main() {
  const prebuildsDir = resolve(values.prebuilds ?? join(root, 'prebuilds'));
  const outDir = resolve(values.out ?? join(root, 'npm'));
  const rootPackagePath = resolve(values['root-package'] ?? join(root, 'package.json'));
  const rootPkg = JSON.parse(readFileSync(rootPackagePath, 'utf8'));

  // The loader looks packages up by platformTriple(); a triple it would never compute is a mistake.
  const platformModule = join(root, 'dist', 'native', 'platform.js');
  if (!existsSync(platformModule)) fail('dist/native/platform.js is missing; run `npm run build:ts` first.');
  const { platformTriple } = await import(pathToFileURL(platformModule).href);

  if (!existsSync(prebuildsDir)) fail(`${prebuildsDir} does not exist; run \`npm run prebuild\` first.`);
  const triples = readdirSync(prebuildsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(prebuildsDir, d.name, 'maskflow.node')))
    .map((d) => d.name)
    .sort();
  if (triples.length === 0) fail(`no <triple>/maskflow.node under ${prebuildsDir}; run \`npm run prebuild\` first.`);

  // Check every triple before writing anything, so a bad one leaves no half-made npm/.
  const parsed = triples.map((triple) => {
    const info = parseTriple(triple);
    if (info.error) fail(`${join(prebuildsDir, triple)}: ${info.error}`);
    if (platformTriple(info) !== triple) {
      fail(`${join(prebuildsDir, triple)}: the loader would call this platform "${platformTriple(info)}", not "${triple}"`);
    }
    return { triple, info };
  });

  const optionalDependencies = {};
  for (const { triple, info } of parsed) {
    const pkg = platformPackageJson(triple, info, rootPkg);
    const dir = join(outDir, triple);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    writeFileSync(
      join(dir, 'README.md'),
      `# ${pkg.name}\n\nThe prebuilt ${triple} native addon of [maskflow](https://www.npmjs.com/package/maskflow). ` +
        'npm installs it automatically as an optional dependency of `maskflow` on matching machines; ' +
        'install `maskflow` rather than this package.\n',
    );
    copyFileSync(join(prebuildsDir, triple, 'maskflow.node'), join(dir, 'maskflow.node'));
    optionalDependencies[pkg.name] = pkg.version;
    log(`wrote ${dir} (${pkg.name}@${pkg.version})`);
  }

  if (values['write-root']) {
    rootPkg.optionalDependencies = { ...(rootPkg.optionalDependencies ?? {}), ...optionalDependencies };
    writeFileSync(rootPackagePath, `${JSON.stringify(rootPkg, null, 2)}\n`);
    log(`wrote optionalDependencies for ${triples.length} platform package(s) into ${rootPackagePath}`);
  } else {
    process.stdout.write(`${JSON.stringify({ optionalDependencies }, null, 2)}\n`);
  }
}

await main();
