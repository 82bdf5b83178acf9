import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Keyspace, decodeKeyPart, encodeKeyPart, escapeGlob, hashSlot } from '../src/index.js';

const nasty = ['a', 'a:b', 'a:b:c', '{a}', 'a}', '{', '}', '*', '?', '[x]', 'a b', 'ü', '😀', '%41', 'A', '%', '\\', '', '\n'];

describe('encodeKeyPart', () => {
  it('is injective and reversible on awkward ids', () => {
    const encoded = nasty.map(encodeKeyPart);
    expect(new Set(encoded).size).toBe(nasty.length);
    for (const [i, e] of encoded.entries()) {
      expect(e).toMatch(/^[A-Za-z0-9_.%-]*$/);
      expect(decodeKeyPart(e)).toBe(nasty[i]);
    }
  });

  it('encodes exactly the bytes outside A-Z a-z 0-9 _ . - as upper-case %XX, for every code point and mixes', () => {
    // The specification, byte by byte (slow; the library takes a faster road to the same text).
    const spec = (text: string, safe: RegExp) => {
      let out = '';
      for (const ch of text) {
        if (safe.test(ch)) out += ch;
        else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      return out;
    };
    const idSafe = /^[A-Za-z0-9_.-]$/;
    const prefixSafe = /^[A-Za-z0-9_.:-]$/;
    let differing = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (encodeKeyPart(ch) !== spec(ch, idSafe)) differing++;
    }
    expect(differing).toBe(0);
    const mixes = nasty.flatMap((a) => nasty.map((b) => `${a}${b}!~*'()x:%3A${a}`));
    for (const text of mixes) {
      expect(encodeKeyPart(text)).toBe(spec(text, idSafe));
      expect(new Keyspace(`p:${text}`).prefix).toBe(spec(`p:${text}`, prefixSafe));
    }
  });

  it('rejects lone surrogates and non-strings', () => {
    expect(() => encodeKeyPart('\ud800')).toThrow(InvalidArgumentError);
    expect(() => encodeKeyPart(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('Keyspace', () => {
  it('keeps every key of an id in one slot and ids apart', () => {
    const ks = new Keyspace('app');
    for (const id of nasty.filter(Boolean)) {
      const slots = new Set(['a', 'b', 'c'].map((n) => hashSlot(ks.key(id, n))));
      expect(slots.size).toBe(1);
      expect(ks.idOf(ks.key(id, 'x'))).toBe(id);
    }
    expect(ks.key('a', 'x')).not.toBe(ks.key('a:b', 'x'));
    expect(ks.key('a:b', 'x').startsWith(ks.key('a', ''))).toBe(false);
  });

  it('builds the same keys whatever id came before (the last tag is remembered, never for another id)', () => {
    const ks = new Keyspace('t', { maxIdBytes: 8 });
    const fresh = (id: string, name: string) => new Keyspace('t', { maxIdBytes: 8 }).key(id, name);
    for (const id of ['a', 'a', 'b:c', 'a', '😀', 'b:c']) expect(ks.key(id, 'x')).toBe(fresh(id, 'x'));
    expect(() => ks.key('123456789', 'x')).toThrow(/over the limit/);
    expect(() => ks.key('', 'x')).toThrow(InvalidArgumentError);
    expect(ks.key('b:c', 'y')).toBe('t:{t:b%3Ac}:y');
  });

  it('separates tenants a, a:b and a* and escapes their scan patterns', () => {
    const a = new Keyspace('a');
    const ab = new Keyspace('a:b');
    const star = new Keyspace('a*');
    expect(star.prefix).toBe('a%2A');
    const globMatch = (pattern: string, key: string) => {
      // Redis glob subset used here: '*' and '\\x' escapes.
      let re = '';
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i]!;
        if (c === '\\') re += `\\${pattern[++i]}`;
        else if (c === '*') re += '.*';
        else re += c.replace(/[.+^${}()|[\]\\?]/g, '\\$&');
      }
      return new RegExp(`^${re}$`).test(key);
    };
    expect(globMatch(a.scanPattern(), a.key('t', 'x'))).toBe(true);
    expect(globMatch(a.scanPattern(), a.sharedKey('idx'))).toBe(true);
    expect(globMatch(a.scanPattern(), ab.key('t', 'x'))).toBe(false);
    expect(globMatch(a.scanPattern(), star.key('t', 'x'))).toBe(false);
    expect(a.idOf(ab.key('t', 'x'))).toBeUndefined();
  });

  it('rejects an empty prefix or id', () => {
    expect(() => new Keyspace('')).toThrow(InvalidArgumentError);
    expect(() => new Keyspace('p').key('', 'x')).toThrow(InvalidArgumentError);
  });
});

describe('escapeGlob', () => {
  it('escapes every glob character', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
  });
});

describe('hashSlot', () => {
  it('matches the slots Redis documents', () => {
    expect(hashSlot('123456789')).toBe(12739); // CRC16/XMODEM check value 0x31C3 % 16384
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'));
    expect(hashSlot('foo{}{bar}')).toBe(hashSlot('foo{}{bar}')); // empty tag: whole key hashed
    expect(hashSlot('foo{}{bar}')).not.toBe(hashSlot('bar'));
    expect(hashSlot('foo{{bar}}zap')).toBe(hashSlot('{bar'));
    expect(hashSlot(Buffer.from('foo'))).toBe(12182);
  });
});

describe('hashSlot fast path', () => {
  it('agrees with the byte-wise computation for ASCII, unicode and tags', () => {
    const keys = ['plain', 'ü{tag}', '{ü}x', 'a{b}c{d}', '{}{x}', 'x{', '}{y}', '😀', 'k{😀}', `p:{p:${'a'.repeat(300)}}:v`];
    for (const k of keys) expect(hashSlot(k)).toBe(hashSlot(Buffer.from(k, 'utf8')));
  });
});

describe('hash-tag comparison (the cross-slot check skips the checksum when tags match)', () => {
  it('says "same part" only for keys Redis hashes identically', async () => {
    const { hashedPart, hasHashedPart } = await import('../src/slot.js');
    expect(hashedPart('p:{p:abc}:meta')).toBe('p:abc');
    expect(hashedPart('foo{}{bar}')).toBe('foo{}{bar}'); // empty first tag: the whole key
    expect(hashedPart('foo{{bar}}zap')).toBe('{bar');
    expect(hasHashedPart('p:{p:abc}:messages', 'p:abc')).toBe(true);
    expect(hasHashedPart('p:abc', 'p:abc')).toBe(true); // no tag: the whole key, same slot as {p:abc}
    expect(hasHashedPart('p:{p:abcd}:x', 'p:abc')).toBe(false);
    expect(hasHashedPart('p:{p:ab}:x', 'p:abc')).toBe(false);
    expect(hasHashedPart('{}p:abc', 'p:abc')).toBe(false);
    const keys = ['a{t}', 'b{t}x', 't', '{t}', 'foo{}{t}', '{t}{u}', 'x{t', '{ü}a', 'ü', '{ü}', 'k{😀}', '😀'];
    for (const a of keys) {
      for (const b of keys) {
        if (hasHashedPart(b, hashedPart(a))) expect(hashSlot(b), `${a} / ${b}`).toBe(hashSlot(a));
        else expect(hashedPart(b)).not.toBe(hashedPart(a));
      }
    }
  });
});
