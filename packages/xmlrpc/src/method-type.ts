// Typed method declarations: a method's name bound once to its parameter and reply types, with
// the signature and help a registry serves, so the server that registers a method and the client
// that calls it use one declaration (as vscode-jsonrpc's RequestType<P, R> does). Generic: the
// protocols built on this codec declare their own methods with `method()`.
import type { CallInfo, Handler, MethodOptions, ParamSpec } from './methods.js';
import type { XmlRpcValue } from './values.js';

/** Parameters as declared: optional ones may be left out (so their type includes undefined). */
export type ParamList = (XmlRpcValue | undefined)[];

/** One spec per parameter, in order, optional ones included: its length is that of `P`. */
export type SignatureOf<P extends ParamList> = { readonly [K in keyof P]-?: ParamSpec };

/** A method's name bound to its parameters `P` and its reply `R`. */
export interface MethodType<P extends ParamList = ParamList, R = unknown> {
  readonly name: string;
  /** What a registry checks calls against and tells introspection (signature, returns, help). */
  readonly options: MethodOptions;
  /** Carries the types only; never set. */
  readonly types?: { params: P; result: R };
}

/** Any declared method (its parameter and reply types unknown here). */
export type AnyMethodType = MethodType<ParamList, unknown>;

export type ParamsOf<T> = T extends MethodType<infer P extends ParamList, unknown> ? P : never;
export type ResultOf<T> = T extends MethodType<ParamList, infer R> ? R : never;

/**
 * A handler of a declared method. Its parameters are `P` because the registry checks each call
 * against the declared signature before the handler runs.
 */
export type TypedHandler<P extends ParamList, R> = (params: P, call: CallInfo) => R | Promise<R>;

/** One handler per method of a table of declarations (`{ ping: method(...), ... }`). */
export type HandlersOf<T extends Record<string, AnyMethodType>> = {
  [K in keyof T]: TypedHandler<ParamsOf<T[K]>, ResultOf<T[K]>>;
};

/** Declares a method: `method<[port: number], boolean>('show', { signature: [...], help })`. */
export function method<P extends ParamList, R>(
  name: string,
  options: Omit<MethodOptions, 'signature'> & { signature?: SignatureOf<P> } = {},
): MethodType<P, R> {
  return { name, options };
}

/**
 * The untyped handler a registry stores for a typed one. Replies are typed by their declaration,
 * not as XmlRpcValue; the encoder takes any plain data.
 */
export function untypedHandler(handler: TypedHandler<never, unknown>): Handler {
  return handler as unknown as Handler;
}

/** XML-RPC's introspection methods, which every MethodRegistry serves. */
export const SystemMethod = {
  listMethods: method<[], string[]>('system.listMethods'),
  methodSignature: method<[name: string], string[][] | string>('system.methodSignature'),
  methodHelp: method<[name: string], string>('system.methodHelp'),
} as const;
