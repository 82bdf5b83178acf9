// Reads the .lua files under src/, resolves `--!include <path>` directives
// (paths relative to src/, each helper inlined once, cycles rejected), drops the
// included helper functions a script never calls, and parses the header block
// that states KEYS, ARGV and the reply.
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

const FUNCTION_START = /^local function ([A-Za-z_][A-Za-z0-9_]*)\s*\(/;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * Removes the top-level `local function` blocks that nothing reachable from the
 * script's own statements calls, with the comment lines right above them. Redis
 * runs a script's whole body on every call, so each helper left in costs a
 * closure per call. A top-level function opens at column 0 and closes with an
 * `end` at column 0 (or on its own line). The first `keepLines` lines (the
 * script's header) are never touched. References are found by name, so a name
 * that only appears in a string keeps its function: safe, not exact (comment
 * lines are not read).
 */
export function dropUnusedHelpers(source, keepLines = 0) {
  const lines = source.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FUNCTION_START.exec(lines[i]);
    if (!m) continue;
    let end = i;
    if (!/\bend\s*$/.test(lines[i])) {
      end = i + 1;
      while (end < lines.length && lines[end].trimEnd() !== 'end') end++;
      if (end >= lines.length) throw new LuaBuildError(`local function ${m[1]} has no closing 'end' at column 0`);
    }
    let start = i;
    while (start > keepLines && lines[start - 1].startsWith('--') && !lines[start - 1].startsWith('--!')) start--;
    blocks.push({ name: m[1], start, def: i, end });
    i = end;
  }
  const byName = new Map(blocks.map((b) => [b.name, b]));
  const inBlock = new Set();
  for (const b of blocks) for (let i = b.start; i <= b.end; i++) inBlock.add(i);
  const code = (from, to) =>
    lines
      .slice(from, to)
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n');
  const kept = new Set();
  const pending = [];
  const visit = (text) => {
    for (const [word] of text.matchAll(IDENTIFIER)) {
      if (byName.has(word) && !kept.has(word)) {
        kept.add(word);
        pending.push(byName.get(word));
      }
    }
  };
  visit(lines.filter((line, i) => !inBlock.has(i) && !line.trimStart().startsWith('--')).join('\n'));
  while (pending.length > 0) {
    const b = pending.pop();
    visit(code(b.def, b.end + 1).replace(FUNCTION_START, ''));
  }
  const drop = new Set();
  for (const b of blocks) if (!kept.has(b.name)) for (let i = b.start; i <= b.end; i++) drop.add(i);
  return lines
    .filter((_, i) => !drop.has(i))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
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
  const resolved = resolveIncludes(srcDir, file);
  for (const re of FORBIDDEN) {
    if (re.test(resolved)) throw new LuaBuildError(`${rel}: uses a forbidden command (${re.source})`);
  }
  const source = dropUnusedHelpers(resolved, header.length);
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
