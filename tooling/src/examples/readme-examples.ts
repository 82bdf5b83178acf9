import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The fenced code blocks of a Markdown file, with their info strings. */
export function codeBlocks(markdown: string): { lang: string; code: string }[] {
  const blocks: { lang: string; code: string }[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)^```\s*$/gm;
  for (const m of markdown.matchAll(re)) blocks.push({ lang: m[1]!.trim(), code: m[2]! });
  return blocks;
}

/** Every `examples/*.ts` and `examples/*.mjs` file of a package directory, sorted. */
export function exampleFiles(packageDir: string): string[] {
  return readdirSync(join(packageDir, 'examples'))
    .filter((f) => f.endsWith('.ts') || f.endsWith('.mjs'))
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

const tsxCli = (() => {
  const require = createRequire(import.meta.url);
  return require.resolve('tsx/cli');
})();

/**
 * Runs one example in a child process (`.mjs` with plain `node`, no loader; `.ts` with tsx);
 * resolves with its output, rejects with its stderr.
 */
export function runExample(
  file: string,
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      file.endsWith('.mjs') ? [file] : [tsxCli, file],
      { env: { ...process.env, ...env }, timeout: timeoutMs, cwd: join(file, '..', '..') },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} failed (${err.message}):\n${stderr}\n${stdout}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}
