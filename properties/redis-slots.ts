/**
 * Redis Cluster's key → slot → master mapping. There are 16384 slots; a key's slot is
 * CRC16(key) mod 16384 (CRC16 & 16383), where CRC16 is the XMODEM variant (polynomial 0x1021,
 * initial value 0) that Redis's cluster specification names. If a key has a hash tag — a '{', then
 * a '}' after it with at least one character between — only the characters between the first '{'
 * and the first '}' after it are hashed, so {user1000}.following and {user1000}.followers share a
 * slot. Each master keeps a bitmap of 16384 bits (2048 bytes), bit s set when it owns slot s; every
 * slot must be owned by exactly one master. Moving a slot moves its keys, and only them.
 * (properties/redis-slots.test.ts.)
 */

/** The number of slots. */
export const SLOTS = 16384;

/** CRC-16/XMODEM of some bytes: polynomial 0x1021, initial value 0, no reflection, no final xor. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * The part of a key that is hashed: its hash tag if it has one, else the whole key. Redis works on
 * the key's bytes; '{' and '}' are ASCII, and no byte of a multi-byte UTF-8 character is below 0x80,
 * so finding them in the string finds them in the bytes.
 */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** The slot of a key, 0 … 16383. */
export function keySlot(key: string): number {
  return crc16(new TextEncoder().encode(hashedPart(key))) & (SLOTS - 1);
}

/** A cluster: each master's slot bitmap (2048 bytes). */
export type Cluster = ReadonlyMap<string, Uint8Array>;

const has = (bitmap: Uint8Array, slot: number) => (bitmap[slot >> 3]! & (1 << (slot & 7))) !== 0;

/** Whether a master's bitmap has slot `slot` (bit `slot`: slot 1 is the second bit). */
export function owns(c: Cluster, node: string, slot: number): boolean {
  const bitmap = c.get(node);
  return bitmap !== undefined && has(bitmap, slot);
}

/** A cluster of these masters with the slots split into contiguous ranges, as `redis-cli --cluster create` does. */
export function evenCluster(nodes: readonly string[]): Cluster {
  const out = new Map(nodes.map((n) => [n, new Uint8Array(SLOTS / 8)] as const));
  for (let s = 0; s < SLOTS; s++) {
    const bitmap = out.get(nodes[Math.floor((s * nodes.length) / SLOTS)]!)!;
    bitmap[s >> 3] = bitmap[s >> 3]! | (1 << (s & 7));
  }
  return out;
}

/** The masters whose bitmap has the slot (exactly one, in a well-formed cluster). */
export function ownersOf(c: Cluster, slot: number): string[] {
  return [...c.keys()].filter((n) => owns(c, n, slot));
}

/** The master that serves a key. */
export function ownerOfKey(c: Cluster, key: string): string {
  const owners = ownersOf(c, keySlot(key));
  if (owners.length !== 1) throw new Error(`slot ${keySlot(key)} has ${owners.length} owners`);
  return owners[0]!;
}

/** The cluster after slot `slot` moves to master `to` (a new cluster; the old one is unchanged). */
export function moveSlot(c: Cluster, slot: number, to: string): Cluster {
  if (!c.has(to)) throw new Error(`${to} is not a master`);
  const out = new Map([...c].map(([n, bitmap]) => [n, bitmap.slice()] as const));
  for (const [n, bitmap] of out)
    if (n === to) bitmap[slot >> 3] = bitmap[slot >> 3]! | (1 << (slot & 7));
    else bitmap[slot >> 3] = bitmap[slot >> 3]! & ~(1 << (slot & 7));
  return out;
}
