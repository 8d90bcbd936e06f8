// The C++ view of the effect catalogue (src/effects/catalog.ts): names,
// parameter kinds and limits, mask/reframe flags and each effect's factory.
// scripts/make-effect-catalog.mjs writes it to native/src/effect_catalog.h;
// test/native-catalog.test.ts checks the committed file is current.

/** `pixelate-background` → `PixelateBackground`. */
export const pascalName = (name) => name.split(/[^A-Za-z0-9]+/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
/** `pixelate-background` → `pixelate_background` (namespace and kernel file name). */
export const snakeName = (name) => name.replace(/[^A-Za-z0-9]+/g, '_');

const cppString = (s) => JSON.stringify(s);
const cppNumber = (n) => (Number.isInteger(n) ? `${n}.0` : String(n));

function paramRow(name, spec, choicesName) {
  switch (spec.kind) {
    case 'number':
      return `{${cppString(name)}, ParamKind::${spec.integer ? 'kInteger' : 'kNumber'}, ${cppNumber(spec.min)}, ${cppNumber(spec.max)}, nullptr, 0}`;
    case 'boolean':
      return `{${cppString(name)}, ParamKind::kBoolean, 0.0, 0.0, nullptr, 0}`;
    case 'color':
      return `{${cppString(name)}, ParamKind::kColor, 0.0, 0.0, nullptr, 0}`;
    case 'image':
      return `{${cppString(name)}, ParamKind::kImage, 0.0, 0.0, nullptr, 0}`;
    case 'choice':
      return `{${cppString(name)}, ParamKind::kChoice, 0.0, ${cppNumber(spec.values.length - 1)}, ${choicesName}, ${spec.values.length}}`;
    default:
      throw new Error(`effect catalogue: parameter ${name} has an unknown kind ${spec.kind}`);
  }
}

export function effectCatalogHeader(effects) {
  const names = Object.keys(effects);
  const maxParams = Math.max(...names.map((n) => Object.keys(effects[n].params).length));
  const out = [
    '// Generated from src/effects/catalog.ts by scripts/make-effect-catalog.mjs: do not edit.',
    '// test/native-catalog.test.ts fails when it is out of date. The glue parses and',
    '// range-checks effect parameters from these tables; each effect\'s kernel lives in',
    '// native/src/kernels/effects/<name>.cc and defines its Make<Name>() factory.',
    '#pragma once',
    '#include <memory>',
    '',
    'namespace maskflow {',
    '',
    'class Effect;',
    '',
    'enum class ParamKind { kNumber, kInteger, kBoolean, kColor, kImage, kChoice };',
    '',
    'struct ParamInfo {',
    '  const char* name;',
    '  ParamKind kind;',
    '  double min, max;             // number, integer; choice: 0..count-1 (the index)',
    '  const char* const* choices;  // choice: the allowed strings, in order',
    '  int choiceCount;',
    '};',
    '',
    'struct EffectInfo {',
    '  const char* name;',
    '  bool usesMask;  // reads the subject mask: must come before any effect that reframes',
    '  bool reframes;  // moves pixels, so the mask no longer describes the frame after it',
    '  const ParamInfo* params;',
    '  int paramCount;',
    '  std::unique_ptr<Effect> (*make)();',
    '};',
    '',
    `constexpr int kMaxEffectParams = ${maxParams};`,
    '',
  ];
  for (const name of names) {
    const e = effects[name];
    const P = pascalName(name);
    const keys = Object.keys(e.params);
    out.push(`// ${name}: ${e.description}`);
    out.push(`namespace ${snakeName(name)} {`);
    out.push(`enum Param { ${keys.map((k) => `k${pascalName(k)}`).join(', ')} };`);
    out.push('}');
    for (const k of keys) {
      const spec = e.params[k];
      if (spec.kind === 'choice') {
        out.push(`inline constexpr const char* k${P}${pascalName(k)}Choices[] = {${spec.values.map(cppString).join(', ')}};`);
      }
    }
    out.push(`inline constexpr ParamInfo k${P}Params[] = {`);
    for (const k of keys) out.push(`    ${paramRow(k, e.params[k], `k${P}${pascalName(k)}Choices`)},`);
    out.push('};');
    out.push(`std::unique_ptr<Effect> Make${P}();`);
    out.push('');
  }
  out.push('inline constexpr EffectInfo kEffects[] = {');
  for (const name of names) {
    const e = effects[name];
    const P = pascalName(name);
    out.push(`    {${cppString(name)}, ${e.usesMask}, ${e.reframes}, k${P}Params, ${Object.keys(e.params).length}, &Make${P}},`);
  }
  out.push('};');
  out.push(`constexpr int kEffectCount = ${names.length};`);
  out.push('');
  out.push('}  // namespace maskflow');
  return `${out.join('\n')}\n`;
}
