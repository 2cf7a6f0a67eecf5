/**
 * The hash the ring examples use: a string's 32-bit position, the first four bytes of its MD5 digest
 * read little-endian — how memcached's ketama ring places servers and keys. Any hash that spreads
 * strings evenly would do; the statistical bounds in the tests assume it behaves like a random
 * function (every position equally likely, different strings independent).
 */
import { createHash } from 'node:crypto';

/** The size of the hash space, and of the ring: positions are 0 … 2^32 − 1. */
export const SPACE = 2 ** 32;

/** A string's position in 0 … 2^32 − 1. */
export function hash32(s: string): number {
  return createHash('md5').update(s).digest().readUInt32LE(0);
}
