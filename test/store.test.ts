/** The seen-state store and the fingerprint set: typed-array hash tables (src/check/store.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSet, NO_PARENT, seenIn, StateStore } from '../src/check/store.js';

/** A random 64-bit fingerprint as two unsigned words. */
const fp = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }));

describe('StateStore', () => {
  it('numbers new fingerprints 0, 1, 2... and refuses repeats, as a Set of pairs would', () => {
    fc.assert(
      fc.property(fc.array(fp, { maxLength: 3000 }), (fps) => {
        const store = new StateStore(16);
        const reference = new Map<string, number>();
        for (const [hi, lo] of fps) {
          const id = store.add(hi, lo, NO_PARENT, 0);
          const k = `${hi}:${lo}`;
          if (reference.has(k)) expect(id).toBe(-1);
          else {
            expect(id).toBe(reference.size);
            reference.set(k, id);
          }
        }
        expect(store.size).toBe(reference.size);
        for (const [k, id] of reference) {
          const [hi, lo] = k.split(':').map(Number);
          expect([store.fpHigh(id), store.fpLow(id)]).toEqual([hi, lo]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('grows far past its initial capacity, keeping ids, parents and choices', () => {
    const store = new StateStore(1024);
    const n = 100_000;
    // Fingerprints that share the low word in runs of 4 (worst case for the probe start).
    let wrong = 0;
    for (let i = 0; i < n; i++) if (store.add(i, i >>> 2, i === 0 ? NO_PARENT : i - 1, i % 7) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(store.size).toBe(n);
    for (let i = 0; i < n; i += 997) {
      expect(store.add(i, i >>> 2, 0, 0)).toBe(-1);
      expect(store.parent(i)).toBe(i === 0 ? NO_PARENT : i - 1);
      expect(store.choice(i)).toBe(i % 7);
    }
    // 16 bytes per slot of the state arrays, 8 bytes of table per slot (half full at most).
    expect(store.bytes).toBeGreaterThanOrEqual(n * 24);
  });

  it('gives the path from an initial state', () => {
    const store = new StateStore();
    const a = store.add(1, 1, NO_PARENT, 0);
    const b = store.add(2, 2, a, 3);
    const c = store.add(3, 3, b, 1);
    store.add(4, 4, a, 0);
    expect(store.pathTo(c)).toEqual([a, b, c]);
    expect(store.pathTo(a)).toEqual([a]);
  });

  it('a shared store can be looked up from its view (as worker threads do)', () => {
    fc.assert(
      fc.property(fc.array(fp, { maxLength: 500 }), fc.array(fp, { maxLength: 50 }), (added, probes) => {
        const store = new StateStore(16);
        for (const [hi, lo] of added) store.add(hi, lo, NO_PARENT, 0);
        const view = store.view();
        expect(view.hi.buffer).toBeInstanceOf(SharedArrayBuffer);
        const inStore = new Set(added.map(([hi, lo]) => `${hi}:${lo}`));
        for (const [hi, lo] of [...added, ...probes]) expect(seenIn(view, hi, lo)).toBe(inStore.has(`${hi}:${lo}`));
      }),
      { numRuns: 100 },
    );
  });
});

describe('StateStore, growing', () => {
  it('grows its shared arrays in place: the buffers a worker was given stay the store’s, and a view taken after growing sees every fingerprint', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fp, { minLength: 3000, maxLength: 6000, selector: ([hi, lo]) => `${hi}:${lo}` }), (added) => {
        const store = new StateStore(16); // 1024 entries at first: grows twice or more here
        const before = store.view();
        for (const [hi, lo] of added) store.add(hi, lo, NO_PARENT, 0);
        const after = store.view();
        expect(after.mask).toBeGreaterThan(before.mask);
        // No copy: the same shared memory, longer (where growable SharedArrayBuffers exist: Node 20+).
        expect(after.hi.buffer).toBe(before.hi.buffer);
        expect(after.table.buffer).toBe(before.table.buffer);
        expect(after.hi.length).toBeGreaterThan(before.hi.length);
        for (const [hi, lo] of added) expect(seenIn(after, hi, lo)).toBe(true);
        added.forEach(([hi], id) => id < before.hi.length && expect(before.hi[id]).toBe(hi));
      }),
      { numRuns: 20 },
    );
  });
});

describe('FingerprintSet', () => {
  it('adds, refuses repeats, grows and clears', () => {
    fc.assert(
      fc.property(fc.array(fp, { maxLength: 5000 }), (fps) => {
        const set = new FingerprintSet();
        const reference = new Set<string>();
        for (const [hi, lo] of fps) expect(set.add(hi, lo)).toBe(!reference.has(`${hi}:${lo}`) && !!reference.add(`${hi}:${lo}`));
        expect(set.size).toBe(reference.size);
        set.clear();
        expect(set.size).toBe(0);
        if (fps.length) expect(set.add(fps[0]![0], fps[0]![1])).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
