import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BadInputSpec, CallArgs, EntryPoint } from './types.js';
import { badIds, badNumbers, ODD_IDS, typoOf, unserialisable } from './values.js';

/** Codes of refused input (all carry the `InvalidArgumentError` brand). */
export const INPUT_CODES = ['ERR_INVALID_ARGUMENT', 'ERR_UNKNOWN_OPTION', 'ERR_TOO_LARGE', 'ERR_NOT_SERIALIZABLE'] as const;

/**
 * Every refusal must settle within this time. Generous on purpose: it tells
 * "refused at once" from "seconds of work on a 10 MB id"; a GC pause on a busy
 * 2-core machine can take tens of milliseconds, so it is no microbenchmark.
 */
export const DEFAULT_TIME_BOUND_MS = 100;

const INVALID_BRAND = Symbol.for('@x/error:InvalidArgumentError');
const PRIMITIVE_BRAND = Symbol.for('@x/error:RedisPrimitiveError');

/** What a refused call did: its error and how long it took to settle. */
interface Outcome {
  readonly value?: unknown;
  readonly error: unknown;
  readonly ms: number;
  readonly threw: boolean;
}

/** Runs `fn`, whether it throws synchronously or rejects, and times it. */
export async function settle(fn: () => unknown): Promise<Outcome> {
  const started = performance.now();
  try {
    const value = await fn();
    return { value, error: undefined, ms: performance.now() - started, threw: false };
  } catch (error) {
    return { error, ms: performance.now() - started, threw: true };
  }
}

/**
 * Asserts a typed refusal: an Error with the expected stable `code`, the
 * cross-copy brands (`Symbol.for`) of the error classes, never a connection
 * error, settled within the time bound.
 */
export function expectRefused(outcome: Outcome, code: string, boundMs: number, what: string): void {
  expect(outcome.threw, `${what}: expected a refusal, but the call succeeded`).toBe(true);
  const err = outcome.error as { code?: unknown; name?: unknown; message?: unknown } & Record<symbol, unknown>;
  expect(err, what).toBeInstanceOf(Error);
  expect(err.code, `${what}: ${String(err.message)}`).toBe(code);
  expect(err[PRIMITIVE_BRAND], `${what}: not branded as an @x error`).toBe(true);
  if ((INPUT_CODES as readonly string[]).includes(code)) {
    expect(err[INVALID_BRAND], `${what}: not branded as InvalidArgumentError`).toBe(true);
  }
  expect(String(err.name), what).not.toMatch(/^Connection/);
  expect(outcome.ms, `${what}: took ${outcome.ms.toFixed(1)} ms`).toBeLessThan(boundMs);
}

function argsOf<S>(entry: EntryPoint<S>, over: Partial<CallArgs> = {}): CallArgs {
  return {
    id: 'id' in over ? over.id : entry.valid.id,
    payload: 'payload' in over ? over.payload : entry.valid.payload,
    options: 'options' in over ? over.options : entry.valid.options,
  };
}

/** A case generated from the table: a label, the bad arguments and the expected code. */
interface Case {
  readonly label: string;
  readonly args: Partial<CallArgs>;
  readonly code: string;
  readonly message?: RegExp;
}

/** Every generated refusal case of one entry point. */
export function casesOf<S>(entry: EntryPoint<S>, idLimit: number, payloadLimit: number): Case[] {
  const cases: Case[] = [];
  const o = entry.options;
  if (o !== undefined) {
    const base = entry.valid.options ?? {};
    const first = o.accepted[0];
    if (first !== undefined) {
      const typo = typoOf(first);
      cases.push({
        label: `a misspelled option (${typo})`,
        args: { options: { ...base, [typo]: base[first] ?? 1 } },
        code: 'ERR_UNKNOWN_OPTION',
        message: new RegExp(`"${first}"`),
      });
    }
    cases.push({ label: 'an unknown option', args: { options: { ...base, zzzUnknown: 1 } }, code: 'ERR_UNKNOWN_OPTION' });
    cases.push({ label: 'options that are a string', args: { options: 'ttlMs=5' }, code: 'ERR_INVALID_ARGUMENT' });
    cases.push({ label: 'options that are an array', args: { options: [base] }, code: 'ERR_INVALID_ARGUMENT' });
    for (const [name, range] of Object.entries(o.numbers ?? {})) {
      for (const [label, value] of badNumbers(range.min, range.max, range.integer ?? true)) {
        cases.push({
          label: `${name} as ${label}`,
          args: { options: { ...base, [name]: value } },
          code: 'ERR_INVALID_ARGUMENT',
          message: label === 'a numeric string' ? /\(a string\)/ : new RegExp(name),
        });
      }
    }
  }
  if (entry.takesId) {
    for (const [label, value, code] of badIds(idLimit)) {
      if (value === undefined && entry.undefinedId !== undefined) continue; // documented acceptance, checked below
      cases.push({ label, args: { id: value }, code, ...(label.includes('number') ? { message: /\(a number\)/ } : {}) });
    }
  }
  if (entry.payload === 'json') {
    const valid = entry.valid.payload;
    const wrap = (bad: unknown) =>
      typeof valid === 'object' && valid !== null && !Array.isArray(valid) ? { ...(valid as object), extra: bad } : bad;
    for (const [label, value] of unserialisable(wrap)) {
      cases.push({ label: `a payload holding ${label}`, args: { payload: value }, code: 'ERR_NOT_SERIALIZABLE' });
    }
    cases.push({ label: 'a payload one byte over the limit', args: { payload: wrap('x'.repeat(payloadLimit)) }, code: 'ERR_TOO_LARGE' });
    cases.push({ label: 'a 20 MB payload', args: { payload: wrap('p'.repeat(20_000_000)) }, code: 'ERR_TOO_LARGE' });
  }
  if (entry.payload === 'bytes') {
    cases.push({ label: 'a payload one byte over the limit', args: { payload: new Uint8Array(payloadLimit + 1) }, code: 'ERR_TOO_LARGE' });
    cases.push({ label: 'a text payload over the limit', args: { payload: 'é'.repeat(Math.floor(payloadLimit / 2) + 1) }, code: 'ERR_TOO_LARGE' });
    cases.push({ label: 'a 20 MB payload', args: { payload: new Uint8Array(20_000_000) }, code: 'ERR_TOO_LARGE' });
    cases.push({ label: 'a number payload', args: { payload: 42 }, code: 'ERR_INVALID_ARGUMENT' });
    cases.push({ label: 'an object payload', args: { payload: { a: 1 } }, code: 'ERR_INVALID_ARGUMENT' });
  }
  return cases;
}

/** Counts of what one suite generated, by kind (for reports). */
export interface SuiteCounts {
  refusals: number;
  acceptances: number;
  properties: number;
  constructors: number;
  afterClose: number;
  namespace: number;
  extra: number;
}

/**
 * The shared bad-input suite: table-driven cases generated from `spec` for
 * every entry point, plus property-based ids and option keys, use after
 * close, namespace escapes and the package's own extra cases. Call it inside
 * a `describe` / `forEachTopology` body. Returns the case counts (known once
 * the file is collected).
 */
export function describeBadInput<S>(spec: BadInputSpec<S>): SuiteCounts {
  const bound = spec.timeBoundMs ?? DEFAULT_TIME_BOUND_MS;
  const idLimit = spec.idLimitBytes ?? 1024;
  const payloadLimit = spec.payloadLimitBytes ?? 1024 * 1024;
  const runs = spec.propertyRuns ?? 25;
  const counts: SuiteCounts = { refusals: 0, acceptances: 0, properties: 0, constructors: 0, afterClose: 0, namespace: 0, extra: 0 };
  const base = `bad-input-${Math.random().toString(16).slice(2, 10)}`;

  describe(`bad input: ${spec.name}`, () => {
    let subject: S;
    beforeAll(async () => {
      subject = await spec.open(base);
    });
    afterAll(async () => {
      await spec.close(subject);
    });

    /** The entry point's valid call must work right after a refusal. */
    const stillWorks = async (entry: EntryPoint<S>) => {
      const next = await settle(() => entry.call(subject, argsOf(entry)));
      expect(next.error, `${entry.name}: the next normal call failed`).toBeUndefined();
    };

    for (const entry of spec.entryPoints) {
      it(`${entry.name}: the valid call works`, async () => {
        await stillWorks(entry);
      });
      counts.acceptances++;

      for (const c of casesOf(entry, idLimit, payloadLimit)) {
        counts.refusals++;
        it(`${entry.name}: refuses ${c.label} (${c.code}), sends nothing, then works`, async () => {
          const sent = spec.commands?.(subject);
          const outcome = await settle(() => entry.call(subject, argsOf(entry, c.args)));
          expectRefused(outcome, c.code, bound, `${entry.name} with ${c.label}`);
          if (c.message) expect(String((outcome.error as Error).message)).toMatch(c.message);
          if (sent !== undefined) expect(spec.commands!(subject), 'commands were sent').toBe(sent);
          await stillWorks(entry);
        });
      }

      if (entry.takesId && entry.undefinedId !== undefined) {
        counts.acceptances++;
        it(`${entry.name}: accepts an undefined id (${entry.undefinedId}, as documented)`, async () => {
          const outcome = await settle(() => entry.call(subject, argsOf(entry, { id: undefined })));
          expect(outcome.error, `${entry.name} refused an undefined id`).toBeUndefined();
        });
      }

      if (entry.takesId) {
        for (const [label, id] of ODD_IDS) {
          counts.acceptances++;
          it(`${entry.name}: accepts an id with ${label}`, async () => {
            const outcome = await settle(() => entry.call(subject, argsOf(entry, { id })));
            expect(outcome.error, `${entry.name} refused an id with ${label}`).toBeUndefined();
          });
        }
        counts.properties++;
        it(`${entry.name}: any string id is accepted or refused with a typed error, fast (property)`, async () => {
          await fc.assert(
            fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'grapheme', minLength: 300, maxLength: 700 })), async (id) => {
              const outcome = await settle(() => entry.call(subject, argsOf(entry, { id })));
              if (!outcome.threw) return;
              const code = (outcome.error as { code?: string }).code;
              expect(INPUT_CODES as readonly (string | undefined)[], `id ${JSON.stringify(id)}: ${String(outcome.error)}`).toContain(code);
              expect(outcome.ms).toBeLessThan(bound);
            }),
            { numRuns: runs },
          );
          await stillWorks(entry);
        });
      }

      if (entry.options !== undefined && entry.options.accepted.length > 0) {
        const accepted = entry.options.accepted;
        counts.properties++;
        it(`${entry.name}: any unknown option key is refused with ERR_UNKNOWN_OPTION (property)`, async () => {
          const key = fc.string({ minLength: 1, maxLength: 24 }).filter((k) => !accepted.includes(k) && k !== '__proto__');
          await fc.assert(
            fc.asyncProperty(key, async (k) => {
              const options = { ...(entry.valid.options ?? {}) } as Record<string, unknown>;
              Object.defineProperty(options, k, { value: 1, enumerable: true, configurable: true, writable: true });
              const outcome = await settle(() => entry.call(subject, argsOf(entry, { options })));
              expectRefused(outcome, 'ERR_UNKNOWN_OPTION', bound, `${entry.name} with option ${JSON.stringify(k)}`);
            }),
            { numRuns: runs },
          );
        });
      }
    }

    for (const x of spec.extra ?? []) {
      counts.extra++;
      it(`refuses ${x.name} (${x.code})`, async () => {
        const outcome = await settle(() => x.run(subject));
        expectRefused(outcome, x.code, bound, x.name);
        if (x.message) expect(String((outcome.error as Error).message)).toMatch(x.message);
        if (spec.entryPoints[0]) await stillWorks(spec.entryPoints[0]);
      });
    }

    for (const ctor of spec.constructors ?? []) {
      const make = async (options: Record<string, unknown>) => {
        const outcome = await settle(() => ctor.make({ ...ctor.valid, ...options }));
        return outcome;
      };
      const first = ctor.accepted[0]!;
      const bad: [string, Record<string, unknown>, string][] = [
        [`a misspelled option (${typoOf(first)})`, { [typoOf(first)]: ctor.valid[first] ?? 1 }, 'ERR_UNKNOWN_OPTION'],
        ['an unknown option', { zzzUnknown: true }, 'ERR_UNKNOWN_OPTION'],
      ];
      for (const [name, range] of Object.entries(ctor.numbers ?? {})) {
        for (const [label, value] of badNumbers(range.min, range.max, range.integer ?? true)) bad.push([`${name} as ${label}`, { [name]: value }, 'ERR_INVALID_ARGUMENT']);
      }
      for (const [label, options, code] of bad) {
        counts.constructors++;
        it(`${ctor.name}: refuses ${label} (${code})`, async () => {
          const outcome = await make(options);
          if (!outcome.threw) await ctor.dispose?.(outcome.value);
          expectRefused(outcome, code, bound, `${ctor.name} with ${label}`);
        });
      }
    }

    if (spec.entryPoints.length > 0) {
      describe('use after close', () => {
        let closed: S;
        beforeAll(async () => {
          closed = await spec.open(`${base}-closed`);
          await spec.close(closed);
        });
        for (const entry of spec.entryPoints) {
          counts.afterClose++;
          it(`${entry.name}: refused after close(), naming ${spec.closedName}`, async () => {
            const outcome = await settle(() => entry.call(closed, argsOf(entry)));
            const codes = spec.closedCodes ?? ['ERR_CLOSED', 'ERR_BACKEND_CLOSED'];
            expect(outcome.threw, `${entry.name} worked after close()`).toBe(true);
            const err = outcome.error as { code?: string; message?: string };
            expect(codes).toContain(err.code);
            expect(err.message).toContain(spec.closedName);
            expect(outcome.ms).toBeLessThan(bound);
          });
        }
      });
    }

    const ns = spec.namespace;
    if (ns !== undefined) {
      describe('namespaces', () => {
        // Prefix `a` must never read, list or delete what `a:b` or `a*` hold.
        let a: S;
        const others: S[] = [];
        beforeAll(async () => {
          a = await spec.open(`${base}-ns`);
          others.push(await spec.open(`${base}-ns:b`), await spec.open(`${base}-ns*`), await spec.open(`${base}-ns?`));
        });
        afterAll(async () => {
          for (const s of [a, ...others]) await spec.close(s);
        });
        counts.namespace++;
        it('a prefix never reads ids written under prefix:b, prefix* or prefix?', async () => {
          for (const [i, other] of others.entries()) await ns.write(other, `only-there-${i}`);
          for (const i of others.keys()) expect(await ns.has(a, `only-there-${i}`)).toBe(false);
          for (const [i, other] of others.entries()) expect(await ns.has(other, `only-there-${i}`)).toBe(true);
        });
        if (ns.list) {
          counts.namespace++;
          it('a prefix lists only its own ids', async () => {
            await ns.write(a, 'mine');
            for (const [i, other] of others.entries()) await ns.write(other, `listed-${i}`);
            const listed = await ns.list!(a);
            expect(listed).toContain('mine');
            expect(listed.filter((id) => id.startsWith('listed-') || id.startsWith('only-there-'))).toEqual([]);
          });
        }
        if (ns.clear) {
          counts.namespace++;
          it('clearing a prefix deletes nothing of prefix:b, prefix* or prefix?', async () => {
            for (const [i, other] of others.entries()) await ns.write(other, `kept-${i}`);
            await ns.write(a, 'gone');
            await ns.clear!(a);
            expect(await ns.has(a, 'gone')).toBe(false);
            for (const [i, other] of others.entries()) expect(await ns.has(other, `kept-${i}`)).toBe(true);
          });
        }
      });
    }
  });
  return counts;
}
