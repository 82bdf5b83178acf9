/**
 * Turns an example written as an ES module into the CommonJS program a `require` user
 * would write: each `import { a, b as c } from 'x'` becomes `const { a, b: c } = require('x')`,
 * `import x from 'y'` becomes `const x = require('y')`, and the body runs inside an async
 * function (CommonJS has no top-level await); a rejection sets a non-zero exit code.
 */
export function toCommonJs(esm: string): string {
  const head: string[] = [];
  const body: string[] = [];
  const importRe = /^import\s+(?:type\s+)?([\s\S]+?)\s+from\s+(['"][^'"]+['"]);?\s*$/;
  const lines = esm.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (/^import\s/.test(line)) {
      while (!/from\s+['"][^'"]+['"];?\s*$/.test(line) && i + 1 < lines.length) line += `\n${lines[++i]}`;
      const m = importRe.exec(line);
      if (!m?.[1] || !m[2]) throw new Error(`cannot convert import: ${line}`);
      const clause = m[1].trim();
      const named = /^\{([\s\S]*)\}$/.exec(clause);
      if (named?.[1] !== undefined) {
        const parts = named[1]
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p && !p.startsWith('type '))
          .map((p) => p.replace(/\s+as\s+/, ': '));
        head.push(`const { ${parts.join(', ')} } = require(${m[2]});`);
      } else if (/^\*\s+as\s+(\w+)$/.test(clause)) {
        head.push(`const ${clause.replace(/^\*\s+as\s+/, '')} = require(${m[2]});`);
      } else if (/^\w+$/.test(clause)) {
        head.push(`const ${clause} = require(${m[2]});`);
      } else {
        throw new Error(`cannot convert import clause: ${clause}`);
      }
      continue;
    }
    if (line.trim() === 'export {};') continue; // tsc's marker for a module without exports
    if (line.includes('import.meta')) throw new Error(`import.meta has no CommonJS form: ${line}`);
    if (/^export\s/.test(line)) throw new Error(`examples export nothing: ${line}`);
    body.push(line);
  }
  return `'use strict';\n${head.join('\n')}\n\n(async () => {\n${body.join('\n')}\n})().catch((err) => {\n  console.error(err);\n  process.exitCode = 1;\n});\n`;
}
