import { Keyspace, escapeGlob } from '@x/redis-adapter';
import { SEP, SEP_END, cat, encodeIdx, encodeName, versionToken } from './codec.js';

/**
 * Every key of one thread, in the order every checkpoint script takes them
 * (KEYS[1..8], named in `include/checkpoint-thread.lua`). All share the hash
 * tag of the thread, so one thread is one cluster slot and every operation is
 * one script on one node. Namespaces, checkpoint ids, channels and tasks are
 * data inside these keys, never part of a key name.
 */
export const THREAD_KEY_NAMES = [
  'checkpoints', // hash   ns\0id -> record (flags, parent, channel refs, serialized checkpoint + metadata)
  'metadata', //    hash   ns\0id -> metadata filter tokens
  'by-ns', //       zset   ns\0id (lex): newest of a namespace, before/limit per namespace
  'by-id', //       zset   id\0ns (lex): every namespace of the thread newest first
  'blobs', //       hash   ns\0channel\0version[\0writer id] -> channel value
  'write-order', // zset   ns\0id\0taskPath\0taskId\0idx (lex): pending writes in order
  'writes', //      hash   ns\0id\0taskId\0idx -> pending write
  'pin', //         string present when the thread is pinned (never expires)
] as const;

/** The name of the key whose presence marks a thread in SCAN (admin listing). */
export const THREAD_MARKER_KEY = 'by-ns';

/** Key builders of one saver prefix. */
export class CheckpointKeys {
  readonly keyspace: Keyspace;

  constructor(prefix: string) {
    this.keyspace = new Keyspace(prefix);
  }

  /** The 8 keys of a thread, in script order. */
  thread(threadId: string): string[] {
    return THREAD_KEY_NAMES.map((name) => this.keyspace.key(threadId, name));
  }

  /** A SCAN pattern matching one marker key per thread of this prefix, and nothing else. */
  threadScanPattern(): string {
    const p = escapeGlob(this.keyspace.prefix);
    return `${p}:{${p}:*}:${THREAD_MARKER_KEY}`;
  }

  /** The thread id of a marker key found by SCAN, or undefined for anything else. */
  threadOf(key: string): string | undefined {
    if (!key.endsWith(`}:${THREAD_MARKER_KEY}`)) return undefined;
    return this.keyspace.idOf(key);
  }
}

/** Field and member builders inside a thread's keys (see THREAD_KEY_NAMES). */
export const fields = {
  /** ns\0id: a checkpoint in `checkpoints`, `metadata` and `by-ns`. */
  checkpoint(ns: Buffer, id: Buffer): Buffer {
    return cat(ns, SEP, id);
  },
  /** ns\0id\0: the prefix of a checkpoint's writes. */
  writesPrefix(ns: Buffer, id: Buffer): Buffer {
    return cat(ns, SEP, id, SEP);
  },
  /** ns\0id\0taskPath\0taskId\0idx: a write in `write-order`. */
  writeSortKey(ns: Buffer, id: Buffer, taskPath: Buffer, taskId: Buffer, idx: number): Buffer {
    return cat(ns, SEP, id, SEP, taskPath, SEP, taskId, SEP, encodeIdx(idx));
  },
  /** ns\0id\0taskId\0idx: a write in `writes` (its identity). */
  writeField(ns: Buffer, id: Buffer, taskId: Buffer, idx: number): Buffer {
    return cat(ns, SEP, id, SEP, taskId, SEP, encodeIdx(idx));
  },
  /** ns\0channel\0version: a blob in `blobs` (the writer id is appended by Lua on a fork). */
  blob(ns: Buffer, channel: string, version: number | string): Buffer {
    return cat(ns, SEP, encodeName(channel, 'channel'), SEP, encodeName(versionToken(version), 'version'));
  },
  /** Lex range bounds of one namespace in `by-ns`: [ns\0, ns\1). */
  nsRange(ns: Buffer): { min: Buffer; max: Buffer } {
    return { min: cat('[', ns, SEP), max: cat('(', ns, SEP_END) };
  },
};
