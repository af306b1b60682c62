import { describe, expect, it } from 'vitest';
import { createEventBus, type ChangeEvent } from '../../../../src/runtime/services/events.js';
import { roleReason, disabledReason, BINDINGS } from '../../../../src/screens/keymap.js';

describe('in-process change bus', () => {
  it('numbers events per process and delivers them to every listener', () => {
    const bus = createEventBus({ now: () => Date.parse('2026-11-30T00:00:00Z') });
    const a: ChangeEvent[] = [];
    const b: ChangeEvent[] = [];
    bus.subscribe((e) => a.push(e));
    const off = bus.subscribe((e) => b.push(e));
    bus.publish('draft', { action: 'approve', ids: ['d1'] });
    off();
    bus.publish('batch', { action: 'preview' });
    expect(a.map((e) => [e.id, e.type])).toEqual([
      [1, 'draft'],
      [2, 'batch'],
    ]);
    expect(b.map((e) => e.id)).toEqual([1]);
    expect(a[0]).toMatchObject({ at: '2026-11-30T00:00:00.000Z', data: { action: 'approve', ids: ['d1'] } });
  });

  it('keeps a listener failing from stopping the others', () => {
    const bus = createEventBus();
    const heard: number[] = [];
    bus.subscribe(() => {
      throw new Error('closed stream');
    });
    bus.subscribe((e) => heard.push(e.id));
    bus.publish('health', { ready: false });
    expect(heard).toEqual([1]);
  });

  it('answers what came after an id from its ring, or undefined once it left the ring', () => {
    const bus = createEventBus({ capacity: 3 });
    for (let i = 0; i < 5; i += 1) bus.publish('draft', { n: i });
    expect(bus.lastId()).toBe(5);
    expect(bus.since(5)).toEqual([]);
    expect(bus.since(3)?.map((e) => e.id)).toEqual([4, 5]);
    expect(bus.since(2)?.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(bus.since(1)).toBeUndefined();
    expect(bus.since(0)).toBeUndefined();
  });
});

describe('keys a role may not use', () => {
  const binding = (command: string) => BINDINGS.find((b) => b.command === command)!;

  it('says which role a key needs, and nothing when the role may or no role is set', () => {
    expect(roleReason(binding('batches.execute'), 'reviewer')).toMatch(
      /Disabled for a reviewer: .*needs the approver or admin role/,
    );
    expect(roleReason(binding('queue.approve'), 'viewer')).toMatch(
      /needs the reviewer, approver or admin role/,
    );
    expect(roleReason(binding('release.tick'), 'reviewer')).toMatch(/needs the pto or admin role/);
    expect(roleReason(binding('release.tick'), 'approver')).toMatch(
      /^Disabled for an approver: .*needs the pto or admin role/,
    );
    expect(roleReason(binding('queue.approve'), 'reviewer')).toBeUndefined();
    expect(roleReason(binding('batches.execute'), undefined)).toBeUndefined();
    expect(roleReason(binding('list.down'), 'viewer')).toBeUndefined();
  });

  it('puts --readonly first', () => {
    expect(disabledReason(binding('queue.approve'), { readonly: true, role: 'admin' })).toMatch(/Read-only/);
  });
});
