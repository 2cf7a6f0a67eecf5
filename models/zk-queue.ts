/**
 * A distributed queue on ZooKeeper (the study notes' claims about it: docs/notes.md#zk-queue).
 *
 * A producer `p` enqueues `items` items by creating persistent sequential children of /queue.
 * Consumers c1..cN each list the children with a watch, take the lowest, and consume it. When the
 * list is empty a consumer waits for the watch's event and lists again.
 *
 * `zk` is ZooKeeper as one linearizable store (the ensemble is ZAB's business, models/zab.ts) that
 * never crashes, over one FIFO channel per client (ZooKeeper orders a session's replies and watch
 * events). A sequential child's number is the parent's cversion, which every create and delete of a
 * child moves on (as in models/zk-lock.ts): numbers are unique and increase, and they skip. A
 * `getChildren` watch fires once, on the next create or delete of a child, and carries no data.
 *
 * How a consumer claims an item is the point:
 * - correct: it deletes the node first; only the consumer whose delete succeeds processes the item
 *   (ZooKeeper deletes a node once: the other delete fails with NoNode, and that consumer lists
 *   again). Each item is processed at most once — and exactly once while no consumer crashes: one
 *   that crashes between its delete and its processing loses the item (`--faults crash=1`).
 * - process-then-claim: it processes the item it read, then deletes it; two consumers that list
 *   the same children both process the lowest.
 *
 * Processing is one event of the consumer's, recorded in the ghost `processed` (the items in the
 * order they were processed, repeats included).
 */
import { defineActorModel, messages, range, system, type Role, type World } from 'faultline';
import { List, Record, Set as ISet, type RecordOf } from 'immutable';

type Msg =
  /** create(/queue/q-, PERSISTENT_SEQUENTIAL): the producer enqueues an item (its reply is not modelled). */
  | { type: 'Create' }
  /** getChildren(/queue, watch=true). */
  | { type: 'GetChildren' }
  | { type: 'Children'; items: number[] }
  /** delete(/queue/q-K): the claim. */
  | { type: 'Delete'; item: number }
  /** delete's reply: ok, or NoNode (someone else deleted it first). */
  | { type: 'Deleted'; item: number; ok: boolean }
  /** The watch event: /queue's children changed. It carries no data. */
  | { type: 'NodeChildrenChanged' };
const { role } = messages<Msg>();

/** listing: getChildren on its way; claiming: delete on its way; waiting: the queue was empty, a watch is set. */
type Phase = 'listing' | 'claiming' | 'waiting';
const initially = <T>(value: T): T => value;

interface ZkProps {
  /** /queue's cversion: the next child's number. */
  readonly cversion: number;
  readonly items: ISet<number>;
  /** Consumers with a child watch on /queue. */
  readonly watches: ISet<string>;
}
interface ConsumerProps {
  readonly phase: Phase;
  /** The item being claimed (-1: none). */
  readonly item: number;
}
type ZkSelf = RecordOf<ZkProps>;
type ConsumerSelf = RecordOf<ConsumerProps>;

interface GhostProps {
  /** The items processed, in the order they were processed, repeats included. */
  readonly processed: List<number>;
}
const Ghost = Record<GhostProps>({ processed: List<number>() }, 'Ghost');
type Ghost = RecordOf<GhostProps>;

type Roles = { zk: Role<ZkSelf>; producer: Role<RecordOf<object>>; consumer: Role<ConsumerSelf> };
type QueueWorld = World<Roles, Ghost>;

export default defineActorModel({
  name: 'zk-queue',
  description: 'A FIFO queue on ZooKeeper’s persistent sequential nodes: consumers take the lowest item; who processes it depends on how they claim it.',
  params: {
    consumers: { default: 2, min: 1, max: 3, description: 'consumers' },
    items: { default: 2, min: 1, max: 3, description: 'items the producer enqueues' },
  },
  variants: {
    correct: 'a consumer claims the lowest item by deleting it and processes it only if its delete succeeded: each item processed once (NoDuplicates, AllProcessed) — while no consumer crashes between its claim and its processing',
    'process-then-claim': 'a consumer processes the lowest item it listed, then deletes it: two consumers that list the same children both process it (NoDuplicates)',
    'ignore-delete-result': {
      description: 'mutant of correct: a consumer deletes the lowest item and processes it whether its delete succeeded or failed with NoNode',
      mutant: true,
    },
    'no-watch': { description: 'mutant of correct: a consumer lists the queue without a watch: one that finds it empty waits for an event that never comes', mutant: true },
  },
  faults: { crash: 0 },
  build: ({ params, variant }) => {
    const consumers = range('c', params.consumers);
    const N = params.items;
    const processed = (w: QueueWorld) => w.ghost.processed;

    /** A consumer processes `item`. */
    const process = (item: number, ctx: { updateGhost<G>(f: (g: G) => G): void }) =>
      ctx.updateGhost((g: Ghost) => g.set('processed', g.processed.push(item)));
    const list = (self: ConsumerSelf, ctx: { send(to: string, msg: Msg): void }): ConsumerSelf => {
      ctx.send('zk', { type: 'GetChildren' });
      return self.set('phase', 'listing').set('item', -1);
    };
    /** A create or delete of a child fires every child watch, once. */
    const fire = (z: ZkSelf, ctx: { send(to: string, msg: Msg): void }): ZkSelf => {
      for (const c of [...z.watches].sort()) ctx.send(c, { type: 'NodeChildrenChanged' });
      return z.set('watches', ISet());
    };

    return system<Roles, Ghost>({
      network: 'fifo',
      ghost: Ghost(),
      roles: {
        zk: role<ZkProps>({
          ids: ['zk'],
          crashes: false,
          durable: { cversion: 0, items: ISet<number>(), watches: ISet<string>() },
          keyFields: ['items'],
          on: {
            Create: (z: ZkSelf, _msg, ctx) => fire(z.set('items', z.items.add(z.cversion)).set('cversion', z.cversion + 1), ctx),
            GetChildren: (z: ZkSelf, _msg, ctx) => {
              ctx.reply({ type: 'Children', items: [...z.items].sort((a, b) => a - b) });
              return variant === 'no-watch' ? z : z.set('watches', z.watches.add(ctx.from!));
            },
            Delete: (z: ZkSelf, msg, ctx) => {
              if (!z.items.has(msg.item)) {
                ctx.reply({ type: 'Deleted', item: msg.item, ok: false });
                return z;
              }
              const z2 = fire(z.set('items', z.items.remove(msg.item)).set('cversion', z.cversion + 1), ctx);
              ctx.reply({ type: 'Deleted', item: msg.item, ok: true });
              return z2;
            },
          },
        }),
        producer: role<object>({
          ids: ['p'],
          crashes: false,
          durable: {},
          start: (self, ctx) => {
            for (let i = 0; i < N; i++) ctx.send('zk', { type: 'Create' });
            return self;
          },
        }),
        consumer: role<object, ConsumerProps>({
          ids: consumers,
          symmetric: true,
          durable: {},
          volatile: { phase: initially<Phase>('listing'), item: -1 },
          keyFields: ['phase', 'item'],
          start: (self, ctx) => list(self, ctx),
          on: {
            Children: (self: ConsumerSelf, msg, ctx) => {
              if (self.phase !== 'listing') return self;
              if (msg.items.length === 0) return self.set('phase', 'waiting');
              const item = msg.items[0]!;
              if (variant === 'process-then-claim') process(item, ctx);
              ctx.send('zk', { type: 'Delete', item });
              return self.set('phase', 'claiming').set('item', item);
            },
            Deleted: (self: ConsumerSelf, msg, ctx) => {
              if (self.phase !== 'claiming' || self.item !== msg.item) return self;
              if ((msg.ok && variant !== 'process-then-claim') || variant === 'ignore-delete-result') process(msg.item, ctx);
              return list(self, ctx);
            },
            // Only a waiting consumer acts on the event; a busy one lists again anyway when it is done.
            NodeChildrenChanged: (self: ConsumerSelf, _msg, ctx) => (self.phase === 'waiting' ? list(self, ctx) : self),
          },
        }),
      },
      invariants: {
        // No item is processed twice (the claim works).
        NoDuplicates: {
          holds: (w: QueueWorld) => processed(w).toSet().size === processed(w).size,
          explain: (w: QueueWorld) => `items processed, in order: ${processed(w).join(', ')} — ${processed(w).find((x, i) => processed(w).indexOf(x) !== i)} twice`,
        },
      },
      properties: {
        // Every item enqueued is eventually processed (no item lost, no consumer stuck).
        AllProcessed: { eventually: (w: QueueWorld) => processed(w).toSet().size === N },
      },
      witnesses: {
        // The queue hands items out in order, but with two consumers they may be processed out of order.
        OutOfOrder: (w: QueueWorld) => processed(w).some((x, i) => i > 0 && x < processed(w).get(i - 1)!),
      },
    });
  },
});
