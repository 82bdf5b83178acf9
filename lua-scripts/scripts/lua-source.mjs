// Reads the .lua files under src/, resolves `--!include <path>` directives
// (paths relative to src/, each helper inlined once, cycles rejected) and parses
// the header block that states KEYS, ARGV and the reply.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export class LuaBuildError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LuaBuildError';
  }
}

const INCLUDE = /^--!include\s+(\S+)\s*$/;
const KEY_LINE = /^--\s*KEYS\[(\d+)(\.\.\.)?\]\s+([A-Za-z_][A-Za-z0-9_]*)\b/;
const ARG_LINE = /^--\s*ARGV\[(\d+)(\.\.\.)?\]\s+([A-Za-z_][A-Za-z0-9_]*)\b/;
const FORBIDDEN = [/redis\.p?call\(\s*['"]KEYS['"]/i, /redis\.p?call\(\s*['"]FLUSH(ALL|DB)['"]/i];

/** Lists every script file (not the helpers under src/include/), sorted. */
export function listScripts(srcDir) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (relative(srcDir, full) !== 'include') walk(full);
      } else if (entry.endsWith('.lua')) {
        out.push(full);
      }
    }
  };
  walk(srcDir);
  return out;
}

/** Inlines `--!include` helpers; each helper appears once; a cycle is an error. */
export function resolveIncludes(srcDir, file, stack = [], seen = new Set()) {
  const rel = relative(srcDir, file).split(sep).join('/');
  if (stack.includes(rel)) {
    throw new LuaBuildError(`include cycle: ${[...stack, rel].join(' -> ')}`);
  }
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LuaBuildError(`cannot read ${rel}${stack.length ? ` (included from ${stack.at(-1)})` : ''}`);
  }
  const lines = text.split('\n').map((line) => {
    const m = INCLUDE.exec(line.trim());
    if (!m) return line;
    const target = join(srcDir, m[1]);
    const targetRel = relative(srcDir, target).split(sep).join('/');
    if (stack.includes(targetRel) || targetRel === rel) {
      throw new LuaBuildError(`include cycle: ${[...stack, rel, targetRel].join(' -> ')}`);
    }
    if (seen.has(targetRel)) return `-- (${targetRel} already included)`;
    seen.add(targetRel);
    return resolveIncludes(srcDir, target, [...stack, rel], seen).trimEnd();
  });
  return lines.join('\n');
}

function parseSlots(lines, re, what, rel) {
  const slots = [];
  for (const line of lines) {
    const m = re.exec(line);
    if (!m) continue;
    slots.push({ index: Number(m[1]), variadic: Boolean(m[2]), name: m[3] });
  }
  slots.forEach((slot, i) => {
    if (slot.index !== i + 1) {
      throw new LuaBuildError(`${rel}: ${what}[${slot.index}] out of order (expected ${what}[${i + 1}])`);
    }
    if (slot.variadic && i !== slots.length - 1) {
      throw new LuaBuildError(`${rel}: only the last ${what} entry may be variadic (${slot.name})`);
    }
  });
  const names = new Set(slots.map((s) => s.name));
  if (names.size !== slots.length) throw new LuaBuildError(`${rel}: duplicate ${what} names`);
  return slots;
}

/** Builds the descriptor data for one script file. */
export function buildScript(srcDir, file) {
  const rel = relative(srcDir, file).split(sep).join('/');
  const name = rel.replace(/\.lua$/, '');
  const raw = readFileSync(file, 'utf8');
  const header = [];
  for (const line of raw.split('\n')) {
    if (!line.startsWith('--')) break;
    header.push(line);
  }
  if (header.length === 0) {
    throw new LuaBuildError(`${rel}: a script must open with a comment block stating KEYS, ARGV and the reply`);
  }
  if (!header.some((l) => /^--\s*(Reply|Returns)\b/i.test(l))) {
    throw new LuaBuildError(`${rel}: the header must state the reply ("-- Reply: ...")`);
  }
  const keys = parseSlots(header, KEY_LINE, 'KEYS', rel);
  const args = parseSlots(header, ARG_LINE, 'ARGV', rel);
  const source = resolveIncludes(srcDir, file);
  for (const re of FORBIDDEN) {
    if (re.test(source)) throw new LuaBuildError(`${rel}: uses a forbidden command (${re.source})`);
  }
  const fixedKeys = keys.filter((k) => !k.variadic).length;
  for (const m of source.matchAll(/KEYS\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n > fixedKeys && !keys.at(-1)?.variadic) {
      throw new LuaBuildError(`${rel}: uses KEYS[${n}] but its header declares ${fixedKeys} key(s)`);
    }
  }
  const sha1 = createHash('sha1').update(source).digest('hex');
  return {
    name,
    area: name.includes('/') ? name.slice(0, name.indexOf('/')) : 'root',
    source,
    sha1,
    numberOfKeys: fixedKeys,
    keys: keys.map((k) => k.name),
    args: args.map((a) => a.name),
    variadicKeys: Boolean(keys.at(-1)?.variadic),
    variadicArgs: Boolean(args.at(-1)?.variadic),
  };
}
