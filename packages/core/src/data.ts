// The data model: a Context holds Instances; both carry a free-form `data` dictionary.
import { randomUUID } from 'node:crypto';
import { instanceFamilies } from './logic.js';

export type Data = Record<string, unknown>;

/** A named, published thing (a model, a rig, a render...). Its `data` is what plug-ins read and write. */
export class Instance {
  readonly id: string;
  data: Data;
  parent: Context | Instance;
  /** The things this instance stands for (scene nodes, files). Never sent over the wire. */
  members: unknown[] = [];
  private readonly initialName: string;

  /**
   * Creates an instance and adds it to `parent` (a context, or another instance for nesting).
   * `id` keeps an instance's identity when it is rebuilt elsewhere (a farm worker); new by default.
   */
  constructor(name: string, data: Data = {}, parent?: Context | Instance, id: string = randomUUID()) {
    this.id = id;
    this.initialName = name;
    this.data = { family: 'default', ...data, name };
    this.parent = parent ?? new Context();
    if (this.parent instanceof Context) this.parent.add(this);
    else this.parent.members.push(this);
  }

  /** `data.name`, so a collector may rename an instance through its data. */
  get name(): string {
    return typeof this.data.name === 'string' ? this.data.name : this.initialName;
  }

  set name(value: string) {
    this.data.name = value;
  }

  /** The top-level context, however deeply this instance is nested. */
  get context(): Context {
    let parent = this.parent;
    while (parent instanceof Instance) parent = parent.parent;
    return parent;
  }

  get family(): string | null {
    const family = this.data.family;
    return typeof family === 'string' && family !== '' ? family : null;
  }

  /** The primary family followed by `data.families`, without repeats. */
  get families(): string[] {
    return instanceFamilies(this.data);
  }

  /** Only an explicit `false` turns publishing off. */
  get publish(): boolean {
    return this.data.publish !== false;
  }

  get label(): string {
    return typeof this.data.label === 'string' && this.data.label !== '' ? this.data.label : this.name;
  }

  toString(): string {
    return this.name;
  }
}

/** The publishing session: an ordered list of instances and the data shared by every plug-in. */
export class Context {
  readonly id: string = randomUUID();
  name = 'Context';
  data: Data;
  private readonly instances: Instance[] = [];
  private readonly byId = new Map<string, Instance>();
  private changes = 0;

  constructor(data: Data = {}) {
    this.data = data;
  }

  createInstance(name: string, data?: Data): Instance {
    return new Instance(name, data, this);
  }

  /** Appends an instance (a no-op when it is already here) and makes this context its parent. */
  add(instance: Instance): void {
    if (this.byId.has(instance.id)) return;
    instance.parent = this;
    this.instances.push(instance);
    this.byId.set(instance.id, instance);
    this.changes++;
  }

  remove(instance: Instance | string): boolean {
    const id = typeof instance === 'string' ? instance : instance.id;
    const found = this.byId.get(id);
    if (!found) return false;
    this.instances.splice(this.instances.indexOf(found), 1);
    this.byId.delete(id);
    this.changes++;
    return true;
  }

  get(id: string): Instance | undefined {
    return this.byId.get(id);
  }

  /** Reorders the instances in place (a collector may sort them); counts as a change. */
  sort(compare: (a: Instance, b: Instance) => number): void {
    this.instances.sort(compare);
    this.changes++;
  }

  [Symbol.iterator](): Iterator<Instance> {
    return this.instances[Symbol.iterator]();
  }

  get length(): number {
    return this.instances.length;
  }

  /** Grows whenever an instance is added, removed or reordered: a cheap "did the list change" check. */
  get revision(): number {
    return this.changes;
  }

  toString(): string {
    return this.name;
  }
}
