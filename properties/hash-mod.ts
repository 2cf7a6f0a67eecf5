/**
 * Hash-mod-N routing: key k goes to server hash(k) mod N. The same key always reaches the same
 * server while N stays the same — but change N and almost every key changes server: going from N
 * to N + 1 servers, a key stays only if hash mod N = hash mod (N + 1), which holds for N of every
 * N(N + 1) hash values, so N/(N + 1) of the keys move (properties/hash-mod.test.ts).
 */
import { hash32 } from './hash.js';

/** The server of a key among `nodes` (in their order: a new server is appended at the end). */
export function ownerMod(nodes: readonly string[], key: string): string {
  if (nodes.length === 0) throw new Error('no servers');
  return nodes[hash32(key) % nodes.length]!;
}
