// The methods served on one path: MethodRegistry maps a name to its handler and declared
// signature, checks the parameters before the handler runs (fault -32602), and answers the
// system.* introspection and system.multicall itself. Only registered dotted identifiers are
// callable, through a Map, so no name reaches a prototype or an internal.
import type { IncomingHttpHeaders } from 'node:http';
import { Fault, FaultCode, RegistrationError } from './errors.js';
import {
  type AnyMethodType,
  type MethodType,
  type ParamList,
  type TypedHandler,
  untypedHandler,
} from './method-type.js';
import { isStruct, type XmlRpcValue } from './values.js';

/** XML-RPC types a parameter may be declared as (`number` = int or double, `any` = unchecked). */
export type ParamType =
  | 'int'
  | 'i8'
  | 'double'
  | 'number'
  | 'boolean'
  | 'string'
  | 'dateTime.iso8601'
  | 'base64'
  | 'struct'
  | 'array'
  | 'nil'
  | 'any';

export type ParamSpec =
  | ParamType
  | { type: ParamType | readonly ParamType[]; name?: string; optional?: boolean; min?: number; max?: number };

export interface MethodOptions {
  /** Parameters in order; calls that do not match get fault -32602 before the handler runs. */
  signature?: readonly ParamSpec[];
  /** Return type, reported by `system.methodSignature`. */
  returns?: ParamType;
  help?: string;
}

export interface CallInfo {
  /** Aborts when the client disconnects before the reply is sent. */
  signal: AbortSignal;
  remoteAddress: string;
  path: string;
  headers: IncomingHttpHeaders;
  method: string;
}

export type Handler = (
  params: XmlRpcValue[],
  call: CallInfo,
) => XmlRpcValue | undefined | Promise<XmlRpcValue | undefined>;

export interface DispatchOptions {
  introspection: boolean;
  maxMulticall: number;
  /** Told about handler errors (which reach the caller only as "METHOD failed"). */
  onError?: (err: unknown, method: string) => void;
}

interface Entry {
  handler: Handler;
  options: MethodOptions;
  minArity: number;
  specs: readonly NormalSpec[] | null;
}

interface NormalSpec {
  types: readonly ParamType[];
  name?: string;
  optional: boolean;
  min?: number;
  max?: number;
}

// Dotted names of identifiers that never start with an underscore: nothing private, nothing
// from a prototype (lookups go through a Map anyway).
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;
const INTROSPECTION = [
  'system.listMethods',
  'system.methodHelp',
  'system.methodSignature',
  'system.multicall',
];

function normalise(spec: ParamSpec): NormalSpec {
  if (typeof spec === 'string') return { types: [spec], optional: false };
  const types: readonly ParamType[] = typeof spec.type === 'string' ? [spec.type] : spec.type;
  return { ...spec, types, optional: spec.optional === true };
}

function matches(type: ParamType, v: XmlRpcValue): boolean {
  switch (type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case 'i8':
      return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
    case 'double':
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'dateTime.iso8601':
      return v instanceof Date;
    case 'base64':
      return v instanceof Uint8Array;
    case 'struct':
      return isStruct(v);
    case 'array':
      return Array.isArray(v);
    case 'nil':
      return v === null;
    default:
      return true;
  }
}

function checkParams(method: string, entry: Entry, params: XmlRpcValue[]): void {
  const specs = entry.specs;
  if (specs === null) return;
  if (params.length < entry.minArity || params.length > specs.length) {
    const want = entry.minArity === specs.length ? `${specs.length}` : `${entry.minArity} to ${specs.length}`;
    throw new Fault(FaultCode.InvalidParams, `${method} takes ${want} parameter(s), got ${params.length}`);
  }
  params.forEach((v, i) => {
    const spec = specs[i]!;
    const label = `parameter ${i + 1}${spec.name === undefined ? '' : ` (${spec.name})`}`;
    if (!spec.types.some((t) => matches(t, v))) {
      throw new Fault(FaultCode.InvalidParams, `${method}: ${label} must be ${spec.types.join(' or ')}`);
    }
    if (
      typeof v === 'number' &&
      ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
    ) {
      throw new Fault(
        FaultCode.InvalidParams,
        `${method}: ${label} must be between ${spec.min ?? '-inf'} and ${spec.max ?? 'inf'}`,
      );
    }
  });
}

function notFound(method: string): Fault {
  return new Fault(FaultCode.MethodNotFound, `method "${method.slice(0, 80)}" is not supported`);
}

/** The methods served on one path. */
export class MethodRegistry {
  private readonly methods = new Map<string, Entry>();

  register(name: string, handler: Handler, options?: MethodOptions): this;
  /** Registers a declared method with its declared signature and help. */
  register<P extends ParamList, R>(method: MethodType<P, R>, handler: TypedHandler<P, R>): this;
  register(
    declared: string | AnyMethodType,
    handler: Handler | TypedHandler<never, unknown>,
    options: MethodOptions = {},
  ): this {
    if (typeof declared !== 'string') {
      return this.register(declared.name, untypedHandler(handler), declared.options);
    }
    const name = declared;
    if (!METHOD_NAME.test(name) || INTROSPECTION.includes(name)) {
      throw new RegistrationError(
        'BAD_METHOD_NAME',
        `cannot register "${name}": use dotted identifiers that do not start with "_" (system.* introspection is built in)`,
      );
    }
    if (this.methods.has(name)) {
      throw new RegistrationError('DUPLICATE_METHOD', `"${name}" is already registered; unregister it first`);
    }
    const specs = options.signature?.map(normalise) ?? null;
    let minArity = 0;
    specs?.forEach((s, i) => {
      if (!s.optional) minArity = i + 1;
    });
    this.methods.set(name, { handler: untypedHandler(handler), options, minArity, specs });
    return this;
  }

  unregister(name: string): boolean {
    return this.methods.delete(name);
  }

  has(name: string): boolean {
    return this.methods.has(name);
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Runs one call. Resolves to the reply value; rejects with a Fault only. */
  async dispatch(
    method: string,
    params: XmlRpcValue[],
    call: CallInfo,
    options: DispatchOptions,
  ): Promise<XmlRpcValue> {
    if (options.introspection && INTROSPECTION.includes(method)) {
      return this.introspect(method, params, call, options);
    }
    const entry = this.methods.get(method);
    if (entry === undefined) throw notFound(method);
    checkParams(method, entry, params);
    try {
      // Multicall entries carry their own method name; the spread is kept off the common path.
      const info: CallInfo =
        call.method === method
          ? call
          : {
              signal: call.signal,
              remoteAddress: call.remoteAddress,
              path: call.path,
              headers: call.headers,
              method,
            };
      return (await entry.handler(params, info)) ?? null;
    } catch (err) {
      if (err instanceof Fault) throw err;
      options.onError?.(err, method);
      throw new Fault(FaultCode.ApplicationError, `${method} failed`);
    }
  }

  private async introspect(
    method: string,
    params: XmlRpcValue[],
    call: CallInfo,
    options: DispatchOptions,
  ): Promise<XmlRpcValue> {
    const name = params[0];
    if (method === 'system.listMethods') return [...this.names(), ...INTROSPECTION].sort();
    if (method === 'system.multicall') return this.multicall(params, call, options);
    if (params.length !== 1 || typeof name !== 'string') {
      throw new Fault(FaultCode.InvalidParams, `${method} takes one method name`);
    }
    const entry = this.methods.get(name);
    if (entry === undefined) throw notFound(name);
    if (method === 'system.methodHelp') return entry.options.help ?? '';
    // Python's answer when a method declares no signature.
    if (entry.specs === null) return 'signatures not supported';
    return [[entry.options.returns ?? 'any', ...entry.specs.map((s) => s.types.join('|'))]];
  }

  private async multicall(
    params: XmlRpcValue[],
    call: CallInfo,
    options: DispatchOptions,
  ): Promise<XmlRpcValue> {
    const calls = params[0];
    if (params.length !== 1 || !Array.isArray(calls)) {
      throw new Fault(
        FaultCode.InvalidParams,
        'system.multicall takes one array of {methodName, params} structs',
      );
    }
    if (calls.length > options.maxMulticall) {
      throw new Fault(
        FaultCode.LimitExceeded,
        `system.multicall takes at most ${options.maxMulticall} calls`,
      );
    }
    const results: XmlRpcValue[] = [];
    // Sequential on purpose: calls in one batch may depend on each other's side effects.
    for (const c of calls) {
      try {
        if (!isStruct(c) || typeof c.methodName !== 'string' || !Array.isArray(c.params ?? [])) {
          throw new Fault(FaultCode.InvalidParams, 'each call must be a {methodName, params} struct');
        }
        if (c.methodName === 'system.multicall') {
          throw new Fault(FaultCode.InvalidRequest, 'system.multicall cannot be nested');
        }
        results.push([await this.dispatch(c.methodName, (c.params ?? []) as XmlRpcValue[], call, options)]);
      } catch (err) {
        const f = err as Fault;
        results.push({ faultCode: f.faultCode, faultString: f.faultString });
      }
    }
    return results;
  }
}
