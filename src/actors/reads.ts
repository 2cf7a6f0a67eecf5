/**
 * Remembering what invariants (and timeout conditions, constraints, witnesses, liveness
 * predicates) say of worlds, by what they read. Such a function is a pure function of the world,
 * and it reads the world only through its `World` view, so the view can note which parts it read
 * (a node's state, the down nodes, a timer, the messages in flight, the ghost...). Two worlds that
 * agree on every part the function has ever read on its way to an answer get the same answer: the
 * function takes the same path through both. So the answer is remembered by the values of those
 * parts, and a world that matches a remembered one is answered without running the function.
 * A function whose answers are rarely reused (it reads everything, say) is simply run.
 */
import type { Words32 } from './network.js';

/** What a reader notes while recording: a flag per header word, then the net, then "everything". */
export interface Recorder {
  /** The flags being set, or null when nothing is being recorded. */
  recording: Uint8Array | null;
}

interface Entry<R> {
  readonly extra: number;
  readonly values: number[];
  readonly result: R;
}

/** Remembered answers per function, at most. */
const MAX_ENTRIES = 200_000;

export class ReadMemo<R> {
  /** The header words read so far (by any evaluation), in order. */
  private parts: number[] = [];
  private net = false;
  private all = false;
  private off = false;
  private table = new Map<number, Entry<R>[]>();
  private calls = 0;
  private hits = 0;
  private entries = 0;
  private readonly flags: Uint8Array;

  /** `H`: the header's length (the net starts there); flag H is the net, H + 1 everything. */
  constructor(private readonly H: number) {
    this.flags = new Uint8Array(H + 2);
  }

  private key(w: Words32, extra: number): number {
    let h = extra | 0;
    for (const p of this.parts) h = (Math.imul(h ^ w[p]!, 0x9e3779b1) + 0x7f4a7c15) | 0;
    if (this.net) for (let i = this.H; i < w.length; i++) h = (Math.imul(h ^ w[i]!, 0x85ebca6b) + 1) | 0;
    return h;
  }

  private matches(e: Entry<R>, w: Words32, extra: number): boolean {
    if (e.extra !== extra) return false;
    const v = e.values;
    const parts = this.parts;
    let k = 0;
    for (; k < parts.length; k++) if (v[k] !== w[parts[k]!]) return false;
    if (this.net) {
      if (v.length - k !== w.length - this.H) return false;
      for (let i = this.H; i < w.length; i++, k++) if (v[k] !== w[i]) return false;
    }
    return true;
  }

  /**
   * The remembered answer for world `w` (`extra` tells apart questions about one world, e.g. which
   * timer), or undefined: then ask `learn`.
   */
  find(w: Words32, extra: number): Entry<R> | undefined {
    if (this.off || this.all) return undefined;
    this.calls++;
    const bucket = this.table.get(this.key(w, extra));
    if (bucket !== undefined)
      for (const e of bucket)
        if (this.matches(e, w, extra)) {
          this.hits++;
          return e;
        }
    return undefined;
  }

  /** Run `f` (which reads `w` through a view of `reader`), noting what it reads, and remember its answer. */
  learn(reader: Recorder, w: Words32, extra: number, f: () => R): R {
    if (this.off || this.all || reader.recording !== null) return f();
    const flags = this.flags;
    flags.fill(0);
    reader.recording = flags;
    let result: R;
    try {
      result = f();
    } finally {
      reader.recording = null;
    }
    let grew = false;
    for (let p = 0; p < this.H; p++) if (flags[p] && !this.parts.includes(p)) {
      this.parts.push(p);
      grew = true;
    }
    if (flags[this.H] && !this.net) this.net = grew = true;
    if (flags[this.H + 1]) this.all = true;
    if (this.all) {
      this.table.clear();
      return result;
    }
    // More parts read than before: answers remembered by fewer parts no longer say enough.
    if (grew) {
      this.parts.sort((a, b) => a - b);
      this.table = new Map();
      this.entries = 0;
    }
    const values = this.parts.map((p) => w[p]!);
    if (this.net) for (let i = this.H; i < w.length; i++) values.push(w[i]!);
    const k = this.key(w, extra);
    const entry = { extra, values, result };
    // A bounded memory: past a limit, start again (answers are found again as needed).
    if (++this.entries > MAX_ENTRIES) {
      this.table = new Map();
      this.entries = 1;
    }
    const b = this.table.get(k);
    if (b === undefined) this.table.set(k, [entry]);
    else b.push(entry);
    // Rarely reused answers cost memory and time for nothing: stop remembering.
    if (this.calls >= 50_000 && this.hits < this.calls / 4) {
      this.off = true;
      this.table.clear();
    }
    return result;
  }
}
