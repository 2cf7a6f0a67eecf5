/**
 * Segment-allocated IDs (Meituan's Leaf, segment mode): a table row holds max_id, the end of the
 * last segment handed out. An ID server that runs out of IDs takes the next segment
 * (max_id, max_id + step] by advancing max_id by step, and then hands out the IDs of its segment
 * one by one from memory.
 *
 * Taking a segment must be atomic. Leaf does it in one transaction (an UPDATE that adds step, then a
 * SELECT of the new max_id); the same holds with a compare-and-set (write max_id + step only if
 * max_id is still what was read, else read again). Done as a plain read followed by a write, two
 * servers that both read before either writes take the same segment, and hand out the same IDs.
 *
 * The interleaving is explicit: a schedule is the sequence of servers that take a step, one step
 * each — read max_id, write it back advanced, or hand out one ID — so a property test can generate
 * schedules and shrink a failing one to the shortest (properties/segment-ids.test.ts).
 */

/** How a server takes a segment: a compare-and-set (atomic), or a plain read then a write. */
export type Allocation = 'cas' | 'read-then-write';

/** An ID handed out: by which server, and the ID. */
export interface Issued {
  readonly server: number;
  readonly id: number;
}

/** What a run did: the IDs handed out in order, max_id at the end, and a line per step. */
export interface Run {
  readonly issued: readonly Issued[];
  readonly maxId: number;
  readonly log: readonly string[];
}

/** One ID server: its current segment (next ID, last ID), and what it read from max_id, if it is between read and write. */
interface Server {
  next: number;
  last: number;
  read: number | null;
}

/**
 * Run a schedule: `schedule[i]` is the server (0 … servers − 1) that takes step i. A server with IDs
 * left hands out the next one; otherwise it reads max_id, and at its following step writes it
 * advanced by `step` and takes the segment it read — with `cas`, only if max_id has not changed
 * since (if it has, it must read again).
 */
export function run(schedule: readonly number[], options: { servers: number; step: number; allocation: Allocation }): Run {
  const { servers, step, allocation } = options;
  let maxId = 0;
  const state: Server[] = Array.from({ length: servers }, () => ({ next: 1, last: 0, read: null }));
  const issued: Issued[] = [];
  const log: string[] = [];
  for (const i of schedule) {
    const s = state[i % servers]!;
    const who = `server ${i % servers}`;
    if (s.next <= s.last) {
      issued.push({ server: i % servers, id: s.next });
      log.push(`${who} hands out ID ${s.next}`);
      s.next++;
    } else if (s.read === null) {
      s.read = maxId;
      log.push(`${who} reads max_id = ${maxId}`);
    } else if (allocation === 'cas' && maxId !== s.read) {
      log.push(`${who}: compare-and-set of max_id from ${s.read} fails (it is ${maxId} now); it must read again`);
      s.read = null;
    } else {
      maxId = s.read + step;
      s.next = s.read + 1;
      s.last = s.read + step;
      log.push(`${who} writes max_id = ${maxId} and takes IDs ${s.next}…${s.last}`);
      s.read = null;
    }
  }
  return { issued, maxId, log };
}

/** The IDs handed out more than once. */
export function duplicates(r: Run): number[] {
  const seen = new Set<number>();
  const twice = new Set<number>();
  for (const { id } of r.issued) (seen.has(id) ? twice : seen).add(id);
  return [...twice].sort((a, b) => a - b);
}

/** Whether every server handed out strictly increasing IDs. */
export function increasingPerServer(r: Run): boolean {
  const last = new Map<number, number>();
  for (const { server, id } of r.issued) {
    if ((last.get(server) ?? 0) >= id) return false;
    last.set(server, id);
  }
  return true;
}
