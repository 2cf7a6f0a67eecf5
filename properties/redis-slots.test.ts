/**
 * Redis Cluster's slots (docs/properties.md): CRC16 against published values, the hash-tag rule,
 * and slot ownership as a partition of the 16384 slots that moving a slot keeps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16, evenCluster, hashedPart, keySlot, moveSlot, ownerOfKey, ownersOf, SLOTS, type Cluster } from './redis-slots.js';

const bytes = (s: string) => new TextEncoder().encode(s);
/** Keys: any Unicode characters (1 to 4 bytes in UTF-8), braces often. */
const char = fc.oneof(
  fc.constantFrom('{', '}', 'a', 'é', '中', '😀'),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
);
const key = (minLength = 0) => fc.string({ unit: char, minLength });

describe('CRC16 and key slots: published values', () => {
  it('CRC16 of "123456789" is 0x31C3 (the check value in Redis’s cluster specification and crc16.c)', () => {
    expect(crc16(bytes('123456789'))).toBe(0x31c3);
  });

  // The examples of the CLUSTER KEYSLOT command's documentation, and the first keys of a published
  // list of one key per slot.
  it('gives the slots Redis gives', () => {
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('bar{hash_tag}')).toBe(2515);
    expect(keySlot('fyimk7v1CgnBo')).toBe(0);
    expect(keySlot('8HMdi')).toBe(1);
    expect(keySlot('IQhHSeAVHI')).toBe(2);
  });

  // The examples of the cluster specification's hash-tag section.
  it('hashes only the hash tag, as the specification’s examples say', () => {
    expect(hashedPart('{user1000}.following')).toBe('user1000');
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(hashedPart('foo{}{bar}')).toBe('foo{}{bar}'); // nothing between the first { and }: the whole key
    expect(hashedPart('foo{{bar}}zap')).toBe('{bar');
    expect(hashedPart('foo{bar}{zap}')).toBe('bar');
    expect(hashedPart('no tag}{')).toBe('no tag}{'); // no } after the first {
  });
});

describe('key slots: properties', () => {
  it('every key has a slot in 0 … 16383', () => {
    fc.assert(
      fc.property(key(), (k) => {
        const s = keySlot(k);
        expect(Number.isInteger(s) && s >= 0 && s < SLOTS).toBe(true);
      }),
    );
  });

  // Keys "a{t}b" share t's slot whenever a has no '{' and t is not empty and has no '}' — the keys
  // of one user, {user}:profile and {user}:cart, land on one slot, so one master serves them all
  // and multi-key commands on them work.
  it('keys with the same hash tag share a slot: the tag’s', () => {
    const noOpen = key().map((s) => s.replaceAll('{', ''));
    const tag = key(1).map((s) => s.replaceAll('}', '')).filter((s) => s.length > 0);
    fc.assert(
      fc.property(noOpen, tag, key(), (a, t, b) => {
        expect(keySlot(`${a}{${t}}${b}`)).toBe(keySlot(t));
      }),
    );
  });
});

describe('slot ownership', () => {
  const masters = fc.integer({ min: 1, max: 8 }).map((n) => Array.from({ length: n }, (_, i) => `m${i + 1}`));
  /** Each slot has exactly one owner. */
  const partition = (c: Cluster) => {
    for (let s = 0; s < SLOTS; s++) if (ownersOf(c, s).length !== 1) return false;
    return true;
  };

  it('every slot is owned by exactly one master, each with a 2048-byte bitmap', () => {
    fc.assert(
      fc.property(masters, (ms) => {
        const c = evenCluster(ms);
        for (const bitmap of c.values()) expect(bitmap.length).toBe(2048);
        expect(partition(c)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  // A sequence of slot moves, as resharding does them (fast-check picks the slots and the targets):
  // after each, the slots still form a partition, the moved slot's keys are on the target, and every
  // other key is where it was.
  it('moving a slot keeps the partition and moves that slot’s keys, and only them', () => {
    fc.assert(
      fc.property(
        masters,
        // A move: any slot, or (half the time) the slot of one of the keys, so that keys do move.
        fc.array(fc.tuple(fc.option(fc.nat({ max: SLOTS - 1 }), { nil: undefined, freq: 2 }), fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 }),
        fc.array(key(), { minLength: 1, maxLength: 100 }),
        (ms, moves, keys) => {
          let c = evenCluster(ms);
          for (const [anySlot, ofKey, pick] of moves) {
            const slot = anySlot ?? keySlot(keys[ofKey % keys.length]!);
            const to = ms[pick % ms.length]!;
            const next = moveSlot(c, slot, to);
            expect(partition(next)).toBe(true);
            for (const k of keys) expect(ownerOfKey(next, k)).toBe(keySlot(k) === slot ? to : ownerOfKey(c, k));
            c = next;
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
