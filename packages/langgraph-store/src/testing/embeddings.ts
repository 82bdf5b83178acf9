/**
 * A deterministic, dependency-free embeddings object for tests: each word
 * (lower-cased letters and digits) adds 1 to one of `dims` buckets chosen by
 * a string hash. Texts sharing words get a high cosine; texts sharing none, 0.
 */
export class WordHashEmbeddings {
  readonly dims: number;
  /** Texts embedded so far by `embedDocuments` (a test can count them). */
  readonly documents: string[] = [];

  constructor(dims = 32) {
    this.dims = dims;
  }

  #embed(text: string): number[] {
    const v = new Array<number>(this.dims).fill(0);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      let h = 2166136261;
      for (let i = 0; i < word.length; i += 1) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
      v[h % this.dims]! += 1;
    }
    return v;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.documents.push(...texts);
    return texts.map((t) => this.#embed(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.#embed(text);
  }
}
