import type { MatchCondition } from '@langchain/langgraph-checkpoint';

/** True when `namespace` meets a prefix or suffix condition (`*` matches any one label). */
export function matchesCondition(condition: MatchCondition, namespace: readonly string[]): boolean {
  const { matchType, path } = condition;
  if (path.length > namespace.length) return false;
  const start = matchType === 'prefix' ? 0 : namespace.length - path.length;
  return path.every((label, i) => label === '*' || namespace[start + i] === label);
}

/**
 * True when the leading labels of a shard can hold a namespace starting with
 * `path` (wildcards included): the labels both have agree.
 */
export function shardMayMatch(path: readonly string[], shardLabels: readonly string[]): boolean {
  const n = Math.min(path.length, shardLabels.length);
  for (let i = 0; i < n; i += 1) if (path[i] !== '*' && path[i] !== shardLabels[i]) return false;
  return true;
}

/** The labels of `path` before its first `*`. */
export function literalPrefix(path: readonly string[]): string[] {
  const star = path.indexOf('*');
  return [...(star === -1 ? path : path.slice(0, star))];
}

/**
 * `listNamespaces` over the namespaces found, as LangGraph's `InMemoryStore` does it:
 * every condition, then `maxDepth` (truncate and drop duplicates), sorted by the
 * labels joined with `:` (`localeCompare`), then `offset` and `limit`.
 */
export function pageNamespaces(
  found: readonly string[][],
  conditions: readonly MatchCondition[],
  maxDepth: number | undefined,
  limit: number | undefined,
  offset: number,
): string[][] {
  let out = found.filter((ns) => conditions.every((c) => matchesCondition(c, ns)));
  if (maxDepth !== undefined) {
    const seen = new Map<string, string[]>();
    for (const ns of out) {
      const cut = ns.slice(0, maxDepth);
      seen.set(cut.join(':'), cut);
    }
    out = [...seen.values()];
  }
  out.sort((a, b) => a.join(':').localeCompare(b.join(':')));
  return out.slice(offset, offset + (limit ?? out.length));
}
