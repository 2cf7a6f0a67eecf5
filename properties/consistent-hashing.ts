/**
 * Consistent hashing (Karger et al., 1997; memcached's ketama): servers and keys are hashed onto a
 * ring of positions 0 … 2^32 − 1, and a key belongs to the first server point at or after its own
 * position, going clockwise (wrapping round past 2^32 − 1 to 0). Each server can be placed at
 * several points, its virtual nodes: point i of server s sits at hash("s#i").
 *
 * Adding a server only takes keys for the new server; removing one only hands its own keys on
 * (properties/consistent-hashing.test.ts checks both, and how many keys move, and the balance).
 */
import { hash32, SPACE } from './hash.js';

/** One point on the ring: a virtual node of `node`. */
export interface Point {
  readonly pos: number;
  readonly node: string;
}

/** A ring: its points sorted clockwise, and how many virtual nodes each server gets. */
export interface Ring {
  readonly points: readonly Point[];
  readonly vnodes: number;
}

/** The `vnodes` points of one server. */
function pointsOf(node: string, vnodes: number): Point[] {
  return Array.from({ length: vnodes }, (_, i) => ({ pos: hash32(`${node}#${i}`), node }));
}

/** Sort clockwise; two points at one position (2^-32 odds a pair) are ordered by server name. */
function sorted(points: Point[]): Point[] {
  return points.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** A ring of these servers, each with `vnodes` virtual nodes (1: one point per server). */
export function ring(nodes: Iterable<string>, vnodes = 1): Ring {
  return { points: sorted([...nodes].flatMap((n) => pointsOf(n, vnodes))), vnodes };
}

/** The servers on the ring. */
export function nodesOf(r: Ring): string[] {
  return [...new Set(r.points.map((p) => p.node))].sort();
}

/** The ring with one more server. */
export function addNode(r: Ring, node: string): Ring {
  return { points: sorted([...r.points, ...pointsOf(node, r.vnodes)]), vnodes: r.vnodes };
}

/** The ring without a server (it left, or it failed). */
export function removeNode(r: Ring, node: string): Ring {
  return { points: r.points.filter((p) => p.node !== node), vnodes: r.vnodes };
}

/** The point a position belongs to: the first at or after it, clockwise (binary search). */
function pointFor(r: Ring, pos: number): Point {
  const ps = r.points;
  if (ps.length === 0) throw new Error('the ring has no servers');
  let lo = 0;
  let hi = ps.length; // the answer is in [lo, hi]; hi = length means "wrap round to the first"
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ps[mid]!.pos < pos) lo = mid + 1;
    else hi = mid;
  }
  return ps[lo === ps.length ? 0 : lo]!;
}

/** The server a key belongs to. */
export function ownerOf(r: Ring, key: string): string {
  return ownerAt(r, hash32(key));
}

/** The server a position on the ring belongs to (a key's position is hash32(key)). */
export function ownerAt(r: Ring, pos: number): string {
  return pointFor(r, pos).node;
}

/**
 * The fraction of the ring each server owns, exactly: a point owns the arc from the point before it
 * (exclusive) to itself (inclusive), and the first point also the wrap-round arc. This is the share
 * of keys a server gets, in expectation over keys.
 */
export function shares(r: Ring): Map<string, number> {
  const out = new Map<string, number>();
  const ps = r.points;
  ps.forEach((p, i) => {
    const before = i === 0 ? ps[ps.length - 1]!.pos - SPACE : ps[i - 1]!.pos;
    out.set(p.node, (out.get(p.node) ?? 0) + (p.pos - before) / SPACE);
  });
  return out;
}
