import type { Embeddings } from '@langchain/core/embeddings';
import { EmbeddingError } from './errors.js';

/** Semantic search settings, as LangGraph's `InMemoryStore` takes them. */
export interface StoreIndexConfig {
  /** Length of every vector the embeddings return. */
  dims: number;
  /** Turns texts into vectors (`embedDocuments` on put, `embedQuery` on search). */
  embeddings: Embeddings;
  /** Paths of the value to embed (default `['$']`, the whole value as JSON). `a.b`, `a[*].b`, `a[0]` work. */
  fields?: string[];
}

/** Splits `a.b[*].c` into `['a', 'b', '[*]', 'c']`. */
function pathTokens(path: string): string[] {
  return path.split('.').flatMap((part) => part.split(/(?=\[)/)).filter((t) => t !== '');
}

/** Text form of a leaf, as LangGraph embeds it. */
function leafText(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object') return [JSON.stringify(value, null, 2)];
  return [String(value)];
}

function walk(value: unknown, tokens: string[], at: number): string[] {
  if (at === tokens.length) return leafText(value);
  const token = tokens[at]!;
  if (token.startsWith('[')) {
    if (!Array.isArray(value)) return [];
    const inner = token.slice(1, -1);
    if (inner === '*') return value.flatMap((v) => walk(v, tokens, at + 1));
    let i = Number.parseInt(inner, 10);
    if (Number.isNaN(i)) return [];
    if (i < 0) i += value.length;
    return i >= 0 && i < value.length ? walk(value[i], tokens, at + 1) : [];
  }
  if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, token)) return [];
  return walk((value as Record<string, unknown>)[token], tokens, at + 1);
}

/** The texts to embed for `value` at `path` (`$` is the whole value). */
export function textsAt(value: unknown, path: string): string[] {
  if (path === '$') return [JSON.stringify(value, null, 2)];
  return walk(value, pathTokens(path), 0);
}

/** Checks one vector returned by the embeddings. */
export function checkVector(vector: unknown, dims: number, what: string): number[] {
  if (!Array.isArray(vector) || vector.length !== dims || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new EmbeddingError(`${what} is not an array of ${dims} finite numbers (index.dims)`);
  }
  return vector as number[];
}

/** Vectors as base64 of little-endian float32, concatenated (what the store keeps per item). */
export function packVectors(vectors: readonly number[][]): string {
  if (vectors.length === 0) return '';
  const dims = vectors[0]!.length;
  const out = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => out.set(v, i * dims));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
}

/** The vectors packed by {@link packVectors}. */
export function unpackVectors(packed: string, dims: number): Float32Array[] {
  if (packed === '') return [];
  const bytes = Buffer.from(packed, 'base64');
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Float32Array[] = [];
  for (let at = 0; at + dims <= all.length; at += dims) out.push(all.subarray(at, at + dims));
  return out;
}

/** Exact cosine similarity (0 when either vector is all zeros). */
export function cosine(query: readonly number[], vector: Float32Array): number {
  let dot = 0;
  let qq = 0;
  let vv = 0;
  for (let i = 0; i < vector.length; i += 1) {
    const q = query[i]!;
    const v = vector[i]!;
    dot += q * v;
    qq += q * q;
    vv += v * v;
  }
  return qq === 0 || vv === 0 ? 0 : dot / Math.sqrt(qq * vv);
}
