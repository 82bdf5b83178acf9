import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import ts from 'typescript';

/** The fenced code blocks of a Markdown file, with their info strings. */
export function codeBlocks(markdown: string): { lang: string; code: string }[] {
  const blocks: { lang: string; code: string }[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)^```\s*$/gm;
  for (const m of markdown.matchAll(re)) blocks.push({ lang: m[1]!.trim(), code: m[2]! });
  return blocks;
}

/**
 * Every example of a package directory, sorted: `examples/*.mjs` (plain JavaScript that
 * also type-checks as TypeScript) and `examples/*.ts` (TypeScript only).
 */
export function exampleFiles(packageDir: string): string[] {
  return readdirSync(join(packageDir, 'examples'))
    .filter((f) => f.endsWith('.mjs') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))
    .sort()
    .map((f) => join(packageDir, 'examples', f));
}

/**
 * The example files whose exact text does not appear as a code block of the
 * README (so the README cannot drift from what the tests run).
 */
export function examplesMissingFromReadme(readmePath: string, files: string[]): string[] {
  const blocks = codeBlocks(readFileSync(readmePath, 'utf8')).map((b) => b.code.trim());
  return files.filter((f) => !blocks.includes(readFileSync(f, 'utf8').trim()));
}

/**
 * TypeScript to the ES module Node runs, types removed and nothing else changed (the consumer
 * check type-checks the same text under `tsc --init` defaults; this only makes it runnable here).
 */
export function transpileExample(source: string, fileName: string): string {
  const out = ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return out.outputText;
}

/**
 * Runs one example in a child process on plain Node, with no loader: an `.mjs` file as it
 * is, a `.ts` file after {@link transpileExample} (written next to it for the run, so its
 * imports resolve the same way). Resolves with its output, rejects with its stderr.
 */
export async function runExample(
  file: string,
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  let script = file;
  if (file.endsWith('.ts')) {
    script = join(dirname(file), `.${basename(file, '.ts')}.${process.pid}.run.mjs`);
    writeFileSync(script, transpileExample(readFileSync(file, 'utf8'), basename(file)));
  }
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [script],
        { env: { ...process.env, ...env }, timeout: timeoutMs, cwd: join(file, '..', '..') },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`${file} failed (${err.message}):\n${stderr}\n${stdout}`));
          else resolve({ stdout, stderr });
        },
      );
    });
  } finally {
    if (script !== file) rmSync(script, { force: true });
  }
}
