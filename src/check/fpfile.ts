/**
 * Fingerprint files: the states one shard of a distributed check found (shard.ts), as its store's
 * 64-bit fingerprints in ascending order, each with the depth the shard found it at and how many
 * successors it has; and the k-way merge that adds up many such files — the distinct states of
 * their union, the depth of each (the least any shard found), the successors — reading each file
 * a chunk at a time, so that the union is never held in memory.
 *
 * Layout (little-endian 32-bit words): a 16-byte header — "FLFP", the format version, the record
 * count as two words (low, high) — then one 16-byte record per state: fingerprint high word, low
 * word, depth, successors.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { UsageError } from '../model/errors.js';
import type { StateStore } from './store.js';

const MAGIC = 0x50464c46; // "FLFP" read as a little-endian word
const VERSION = 1;
const HEADER_BYTES = 16;
/** Bytes per state in a fingerprint file. */
export const RECORD_BYTES = 16;

/** The successor count of a state the shard stored but did not expand (another shard's frontier state, or a search cut short). */
export const NOT_EXPANDED = 0xffffffff;
/** The successor count of a state beyond the model's constraint (checked, not expanded). */
export const BEYOND_CONSTRAINT = 0xfffffffe;

/** Records written per write call (1 MiB). */
const CHUNK_RECORDS = 65536;

/**
 * Write every state of `store` to `path` in fingerprint order (written under a temporary name and
 * renamed, so that a file with the final name is whole). Returns the number of records.
 */
export function writeFingerprintFile(path: string, store: StateStore, depthOf: (id: number) => number, successorsOf: (id: number) => number): number {
  const n = store.size;
  // Sort the fingerprints as unsigned 64-bit numbers, natively: the two words of each laid out so
  // that a BigUint64Array over them reads hi·2^32 + lo (no BigInt is made per state).
  const words = new Uint32Array(n * 2);
  const [hiAt, loAt] = endianness() === 'LE' ? [1, 0] : [0, 1];
  for (let id = 0; id < n; id++) {
    words[2 * id + hiAt] = store.fpHigh(id);
    words[2 * id + loAt] = store.fpLow(id);
  }
  new BigUint64Array(words.buffer).sort();

  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(VERSION, 4);
    header.writeUInt32LE(n % 2 ** 32, 8);
    header.writeUInt32LE(Math.floor(n / 2 ** 32), 12);
    writeSync(fd, header);
    const chunk = Buffer.alloc(CHUNK_RECORDS * RECORD_BYTES);
    let used = 0;
    for (let k = 0; k < n; k++) {
      const hi = words[2 * k + hiAt]!;
      const lo = words[2 * k + loAt]!;
      const id = store.find(hi, lo);
      const at = used * RECORD_BYTES;
      chunk.writeUInt32LE(hi, at);
      chunk.writeUInt32LE(lo, at + 4);
      chunk.writeUInt32LE(depthOf(id), at + 8);
      chunk.writeUInt32LE(successorsOf(id), at + 12);
      if (++used === CHUNK_RECORDS) {
        writeSync(fd, chunk);
        used = 0;
      }
    }
    if (used > 0) writeSync(fd, chunk, 0, used * RECORD_BYTES);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return n;
}

/** Reads a fingerprint file a chunk at a time: the current record in `hi`, `lo`, `depth`, `successors`. */
class RecordReader {
  hi = 0;
  lo = 0;
  depth = 0;
  successors = 0;
  private readonly fd: number;
  private readonly buf: Buffer;
  private left: number; // records not yet read from the file
  private offset = HEADER_BYTES; // byte offset in the file of the next chunk
  private pos = 0; // byte offset of the next record in buf
  private end = 0; // bytes of buf filled
  private first = true;
  private closed = false;

  constructor(
    private readonly path: string,
    chunkRecords: number,
  ) {
    this.fd = openSync(path, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    const got = readSync(this.fd, header, 0, HEADER_BYTES, 0);
    if (got < HEADER_BYTES || header.readUInt32LE(0) !== MAGIC) this.fail('not a fingerprint file');
    if (header.readUInt32LE(4) !== VERSION) this.fail(`fingerprint file format ${header.readUInt32LE(4)}; this faultline reads format ${VERSION}`);
    this.left = header.readUInt32LE(8) + header.readUInt32LE(12) * 2 ** 32;
    const size = fstatSync(this.fd).size;
    if (size !== HEADER_BYTES + this.left * RECORD_BYTES) this.fail(`${size} bytes where ${this.left} states take ${HEADER_BYTES + this.left * RECORD_BYTES} (cut short?)`);
    this.buf = Buffer.alloc(Math.max(1, chunkRecords) * RECORD_BYTES);
  }

  /** Move to the next record; false (and the file closed) at the end. */
  next(): boolean {
    if (this.pos === this.end) {
      if (this.left === 0) {
        this.close();
        return false;
      }
      const want = Math.min(this.left, this.buf.length / RECORD_BYTES) * RECORD_BYTES;
      let got = 0;
      while (got < want) {
        const n = readSync(this.fd, this.buf, got, want - got, this.offset + got);
        if (n === 0) this.fail('ends early');
        got += n;
      }
      this.left -= want / RECORD_BYTES;
      this.offset += want;
      this.pos = 0;
      this.end = want;
    }
    const b = this.buf;
    const at = this.pos;
    const hi = b.readUInt32LE(at);
    const lo = b.readUInt32LE(at + 4);
    if (!this.first && (hi < this.hi || (hi === this.hi && lo <= this.lo))) this.fail('is not in ascending order (damaged?)');
    this.first = false;
    this.hi = hi;
    this.lo = lo;
    this.depth = b.readUInt32LE(at + 8);
    this.successors = b.readUInt32LE(at + 12);
    this.pos = at + RECORD_BYTES;
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private fail(why: string): never {
    this.close();
    throw new UsageError(`${this.path}: ${why}`);
  }
}

/** The union of fingerprint files. */
export interface MergedStates {
  /** Distinct fingerprints over all files. */
  readonly distinct: number;
  /** The largest, over the states, of the least depth any file gives a state. */
  readonly diameter: number;
  /** The successors of every state some file expanded, added up (each state once). */
  readonly successors: number;
  /** States beyond the model's constraint. */
  readonly beyond: number;
  /** States no file expanded (the last level of a search cut short). */
  readonly unexpanded: number;
}

/**
 * Merge fingerprint files (each in ascending order, each fingerprint once) in one pass, holding a
 * chunk of `chunkRecords` records of each file at a time.
 */
export function mergeFingerprintFiles(paths: readonly string[], chunkRecords = CHUNK_RECORDS): MergedStates {
  const readers: RecordReader[] = [];
  try {
    for (const p of paths) readers.push(new RecordReader(p, chunkRecords));
    // A binary heap of the readers not at their end, least fingerprint on top.
    const heap = readers.filter((r) => r.next());
    const less = (a: RecordReader, b: RecordReader) => a.hi < b.hi || (a.hi === b.hi && a.lo < b.lo);
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) return;
        const c = l + 1 < heap.length && less(heap[l + 1]!, heap[l]!) ? l + 1 : l;
        if (!less(heap[c]!, heap[i]!)) return;
        [heap[c], heap[i]] = [heap[i]!, heap[c]!];
        i = c;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);

    let distinct = 0;
    let diameter = 0;
    let successors = 0;
    let beyond = 0;
    let unexpanded = 0;
    // The fingerprint being gathered from the files that have it, and what they say of it.
    let any = false;
    let hi = 0;
    let lo = 0;
    let depth = 0;
    let succ = NOT_EXPANDED;
    const flush = () => {
      distinct++;
      if (depth > diameter) diameter = depth;
      if (succ === NOT_EXPANDED) unexpanded++;
      else if (succ === BEYOND_CONSTRAINT) beyond++;
      else successors += succ;
    };
    while (heap.length > 0) {
      const r = heap[0]!;
      if (any && r.hi === hi && r.lo === lo) {
        if (r.depth < depth) depth = r.depth;
        if (succ === NOT_EXPANDED) succ = r.successors;
      } else {
        if (any) flush();
        any = true;
        hi = r.hi;
        lo = r.lo;
        depth = r.depth;
        succ = r.successors;
      }
      if (!r.next()) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
    }
    if (any) flush();
    return { distinct, diameter, successors, beyond, unexpanded };
  } finally {
    for (const r of readers) r.close();
  }
}
