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
