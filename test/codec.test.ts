/** Message keys (src/actors/messages.ts): one canonical text per message, decoded back, renamed for symmetry. */
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageText, remapMessageKey } from '../src/actors/codec.js';

describe('message keys', () => {
  it('are the same however the fields were written, leaving out undefined ones', () => {
    const a = encodeMessage('p1', 'c', { type: 'Vote', yes: true, n: 2 });
    const b = encodeMessage('p1', 'c', { n: 2, type: 'Vote', yes: true, extra: undefined });
    expect(a).toBe(b);
    expect(a).toBe('p1→c Vote {"n":2,"yes":true}');
    expect(encodeMessage('p1', 'c', { type: 'Ping' })).toBe('p1→c Ping');
    expect(encodeMessage('a', 'b', { type: 'T', x: -0, nested: { z: 1, a: [1, 'x'] } })).toBe('a→b T {"nested":{"a":[1,"x"],"z":1},"x":0}');
  });

  it('reject what is not plain data, and a message without a usable type', () => {
    expect(() => encodeMessage('a', 'b', { type: 'T', x: NaN })).toThrow(/only finite numbers/);
    expect(() => encodeMessage('a', 'b', { type: 'T', x: new Map() as never })).toThrow(/plain data/);
    expect(() => encodeMessage('a', 'b', { type: 'has space' })).toThrow(/needs a type/);
    expect(() => encodeMessage('a', 'b', {} as never)).toThrow(/needs a type/);
  });

  it('decode to the sender, receiver, type and body; the handler gets a frozen message', () => {
    const key = encodeMessage('s1', 's2', { type: 'Append', entries: [{ term: 1 }], term: 3 });
    const d = decodeMessage(key);
    expect(d.info).toMatchObject({ from: 's1', to: 's2', type: 'Append', body: { entries: [{ term: 1 }], term: 3 }, key });
    expect(d.msg).toEqual({ type: 'Append', entries: [{ term: 1 }], term: 3 });
    expect(Object.isFrozen(d.msg)).toBe(true);
    expect(Object.isFrozen(d.msg.entries)).toBe(true);
    expect(messageText(key)).toBe('Append {"entries":[{"term":1}],"term":3}');
  });

  it('rename node ids in the sender, the receiver and any field, keys of objects included', () => {
    const perm = new Map([['a1', 'a2'], ['a2', 'a1']]);
    const key = encodeMessage('p', 'a1', { type: 'Ack', from: 'a2', votes: { a1: true }, list: ['a1', 'x'] });
    expect(remapMessageKey(key, perm)).toBe(encodeMessage('p', 'a2', { type: 'Ack', from: 'a1', votes: { a2: true }, list: ['a2', 'x'] }));
    expect(remapMessageKey(remapMessageKey(key, perm), perm)).toBe(key);
  });
});
