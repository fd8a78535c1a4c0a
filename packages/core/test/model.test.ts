import { describe, expect, it } from 'vitest';
import { Context, Instance } from '../src/index.js';

describe('Context and Instance', () => {
  it('creates instances with a name, a default family and a unique id, parented to the context', () => {
    const context = new Context();
    const a = context.createInstance('Richard05', { family: 'model' });
    const b = context.createInstance('Steven11');
    expect(a.name).toBe('Richard05');
    expect(a.data.name).toBe('Richard05');
    expect(a.family).toBe('model');
    expect(b.family).toBe('default');
    expect(a.id).not.toBe(b.id);
    expect(a.parent).toBe(context);
    expect(a.context).toBe(context);
    expect([...context]).toEqual([a, b]);
    expect(context.length).toBe(2);
    expect(context.get(b.id)).toBe(b);
    expect(context.name).toBe('Context');
  });

  it('lists the primary family first, then the extra families, without repeats', () => {
    const i = new Context().createInstance('x', { family: 'model', families: ['review', 'model', 'lod'] });
    expect(i.families).toEqual(['model', 'review', 'lod']);
    const noFamily = new Context().createInstance('y', { family: '', families: ['stark', 'lannister'] });
    expect(noFamily.family).toBeNull();
    expect(noFamily.families).toEqual(['stark', 'lannister']);
  });

  it('publishes an instance unless its publish flag is exactly false', () => {
    const context = new Context();
    expect(context.createInstance('a').publish).toBe(true);
    expect(context.createInstance('b', { publish: 0 }).publish).toBe(true);
    expect(context.createInstance('c', { publish: false }).publish).toBe(false);
  });

  it('shows the label when there is one and the name otherwise, and renames through data', () => {
    const i = new Context().createInstance('tree01', { label: 'Tree (hero)' });
    expect(i.label).toBe('Tree (hero)');
    i.data.label = undefined;
    i.data.name = 'Tree01';
    expect(i.name).toBe('Tree01');
    expect(i.label).toBe('Tree01');
  });

  it('removes instances by object or id and grows the revision on every change', () => {
    const context = new Context();
    const r0 = context.revision;
    const a = context.createInstance('a');
    const b = context.createInstance('b');
    expect(context.revision).toBeGreaterThan(r0);
    const r1 = context.revision;
    expect(context.remove(a)).toBe(true);
    expect(context.remove(b.id)).toBe(true);
    expect(context.remove('missing')).toBe(false);
    expect(context.length).toBe(0);
    expect(context.get(a.id)).toBeUndefined();
    expect(context.revision).toBe(r1 + 2);
    context.data.anything = 1;
    expect(context.revision).toBe(r1 + 2);
  });

  it('adds an instance only once and nests instances under instances', () => {
    const context = new Context();
    const parent = context.createInstance('set');
    const child = new Instance('member', {}, parent);
    expect(parent.members).toEqual([child]);
    expect(child.context).toBe(context);
    context.add(parent);
    expect(context.length).toBe(1);
  });
});
