/**
 * Structured trace events: what happened at one step of a trace, in terms a report can draw
 * without knowing the protocol (who sent what to whom, who crashed, where the network was cut).
 * Message-passing models (src/actors) attach one to every successor; a plain model may attach its
 * own, or none (a report then shows the action's label).
 */

/** A message as sent or delivered. */
export interface MessageInfo {
  readonly from: string;
  readonly to: string;
  /** The message's `type` field, e.g. `Prepare`. */
  readonly type: string;
  /** The other fields of the message. */
  readonly body: { readonly [field: string]: unknown };
  /**
   * A canonical text of the whole message (sender, receiver, type and body). Equal messages have
   * equal keys: a report pairs a delivery with the earliest undelivered send of the same key.
   */
  readonly key: string;
}

/** A node of a message-passing system, as the first event of a trace lists it. */
export interface NodeInfo {
  readonly id: string;
  readonly role: string;
  /** Fields to show first (and keep when a label is shortened) in its state and its messages: `term`, `ballot`. */
  readonly keyFields?: readonly string[];
  /** The fields a crash resets (volatile ones, and durable ones the variant forgets); the others survive it. */
  readonly volatile?: readonly string[];
}

/** A message sent at a step. `lost` says why it never entered the network, if it did not. */
export interface SentMessage extends MessageInfo {
  readonly lost?: 'receiver down';
}

/** What a handler did at a step besides sending: timers set or cancelled, nondeterministic choices. */
export interface StepEffects {
  readonly sends: readonly SentMessage[];
  readonly timersSet?: readonly string[];
  readonly timersCancelled?: readonly string[];
  /** The values `choose` returned, in order. */
  readonly choices?: readonly string[];
}

export type TraceEvent =
  /**
   * The initial state: the nodes (in order, with their roles, and the fields a report shows first
   * in their state and the messages they send) and what their start handlers did.
   */
  | ({ readonly kind: 'init'; readonly nodes?: readonly NodeInfo[] } & StepEffects)
  /** `node` received `message` (its handler ran). */
  | ({ readonly kind: 'deliver'; readonly node: string; readonly message: MessageInfo } & StepEffects)
  /** A timer of `node` fired. */
  | ({ readonly kind: 'timeout'; readonly node: string; readonly timer: string } & StepEffects)
  /** `node` took a local step (a client issuing a request, say). */
  | ({ readonly kind: 'local'; readonly node: string; readonly step: string } & StepEffects)
  /** Fault: `node` crashed; its volatile state, its timers and the messages in flight to it are lost. */
  | { readonly kind: 'crash'; readonly node: string; readonly lost: readonly MessageInfo[] }
  /** Fault: `node` came back from its durable state and ran its restart handler. */
  | ({ readonly kind: 'restart'; readonly node: string } & StepEffects)
  /** Fault: the network lost `message`. */
  | { readonly kind: 'drop'; readonly message: MessageInfo }
  /** Fault: the network made a second copy of `message`; both are in flight. */
  | { readonly kind: 'duplicate'; readonly message: MessageInfo }
  /** Fault: the nodes split into two sides; messages between them wait until the heal. */
  | { readonly kind: 'partition'; readonly sides: readonly [readonly string[], readonly string[]] }
  /** Fault: the partition ended. */
  | { readonly kind: 'heal' }
  /** Any other step of a model that describes its own steps. */
  | { readonly kind: 'step'; readonly node?: string; readonly text: string };

export type TraceEventKind = TraceEvent['kind'];
