/**
 * A world's fingerprint as a sum of terms, one per part of the world: a node's state at its slot,
 * its timers, the down nodes, each budget, the cut, the ghost, the history, and each message (with
 * its copies) or FIFO channel. A step changes a few parts, so a successor's fingerprint is its
 * parent's less the old parts' terms plus the new ones' — a few additions instead of hashing the
 * whole world. Terms are 64-bit hashes (two 32-bit lanes) of what a part holds (content
 * fingerprints, never thread-local ids), and the two lanes are summed separately; two different
 * worlds share a sum with probability about 2^-64, like any two fingerprints. `finish` then mixes
 * the sums (a bijection), so that the seen-set sees well-spread fingerprints.
 */

import { fmix, rotl } from '../model/fingerprint.js';

/** The running sums of a world's terms. */
export interface Sum {
  a: number;
  b: number;
}

/** The last term computed (two lanes), read right after `term`. */
export let TA = 0;
export let TB = 0;


/**
 * The term of a part: where it is (`x`: a world position 0, 1, ...; a message with x copies,
 * 0x40000000 | x; a FIFO channel, 0x20000000 | its number) and what it holds (`y`, `z`), into TA/TB.
 */
export function term(x: number, y: number, z: number): void {
  let h1 = 0x9747b28c;
  let h2 = 0x6a09e667;
  for (let k = 0; k < 3; k++) {
    const w = k === 0 ? x : k === 1 ? y : z;
    h1 ^= Math.imul(rotl(Math.imul(w, 0xcc9e2d51), 15), 0x1b873593);
    h1 = (Math.imul(rotl(h1, 13), 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(rotl(Math.imul(w, 0x38b34ae5), 17), 0xa1e38b93);
    h2 = (Math.imul((rotl(h2, 15) + h1) | 0, 5) + 0x38495ab5) | 0;
  }
  h1 = fmix(h1);
  h2 = fmix(h2);
  TA = (h1 + h2) | 0;
  TB = (h2 + TA) | 0;
}

/** Make (a, b) the last term computed (one remembered earlier). */
export function setTerm(a: number, b: number): void {
  TA = a;
  TB = b;
}

/** Add (sign 1) or take away (sign -1) the last term computed. */
export function addTerm(s: Sum, sign: number): void {
  s.a = (s.a + sign * TA) | 0;
  s.b = (s.b + sign * TB) | 0;
}

/** The fingerprint of a sum (a bijection of the pair), high and low 32 bits, unsigned. */
export function finishHi(a: number, b: number): number {
  const x = fmix(a);
  const y = fmix(b ^ x);
  return fmix((x + y) | 0) >>> 0;
}
export function finishLo(a: number, b: number): number {
  return fmix(b ^ fmix(a)) >>> 0;
}

/** The term of a message with its copies (an unordered or duplicating net), into TA/TB. */
export function messageTerm(hi: number, lo: number, copies: number): void {
  term(0x40000000 | copies, hi, lo);
}

/** The term of a FIFO channel: its number, and its queue's message fingerprints in order. */
export function channelTerm(channel: number, ids: ArrayLike<number>, from: number, len: number, hi: readonly number[], lo: readonly number[], rename?: (id: number) => number): void {
  let h1 = 0x2545f491 ^ len;
  let h2 = 0x4f6cdd1d ^ Math.imul(len, 0x9e3779b1);
  for (let i = 0; i < len; i++) {
    const id = rename ? rename(ids[from + i]!) : ids[from + i]!;
    h1 ^= Math.imul(rotl(Math.imul(hi[id]!, 0xcc9e2d51), 15), 0x1b873593);
    h1 = (Math.imul(rotl(h1, 13), 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(rotl(Math.imul(lo[id]!, 0x38b34ae5), 17), 0xa1e38b93);
    h2 = (Math.imul((rotl(h2, 15) + h1) | 0, 5) + 0x38495ab5) | 0;
  }
  term(0x20000000 | channel, fmix(h1), fmix(h2));
}
