/** Something a subject hands out per id and closes with it (a session, a history ...). */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * The objects of a subject whose id is a constructor argument (one session or
 * history per id): made on first use and kept, so calls with one id share one
 * object. Once the subject is closed, every object it hands out is closed too,
 * so "use after close" reaches the object's own check.
 */
export class PerIdObjects<T extends Closable> {
  readonly #objects = new Map<unknown, T>();
  #closed = false;

  /**
   * @param make - creates the object for an id (the id goes to its constructor, which checks it)
   * @param cleanup - runs before each object is closed (deleting what it wrote); its errors are ignored
   */
  constructor(
    private readonly make: (id: unknown) => T,
    private readonly cleanup?: (object: T) => Promise<unknown>,
  ) {}

  /** The object of `id`, made now when there is none yet (an `undefined` id always gets a new one). */
  get(id: unknown): T {
    let object = id === undefined ? undefined : this.#objects.get(id);
    if (object === undefined) {
      object = this.make(id);
      this.#objects.set(id === undefined ? Symbol('no id') : id, object);
      if (this.#closed) void object.close();
    }
    return object;
  }

  /** Cleans up and closes every object made so far; later ones are handed out closed. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const object of this.#objects.values()) {
      await this.cleanup?.(object).catch(() => undefined);
      await object.close();
    }
  }
}
