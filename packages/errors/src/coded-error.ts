// The base class of every error Pyblish TS throws: a `code` typed as the union of the codes its
// class may carry, a message that says what to do next, and `instanceof` that holds across copies.
//
// Why a package of its own: the core knows nothing of XML-RPC and the codec nothing of Pyblish,
// so neither can hold a base the other extends. This one knows of neither and depends on nothing.
//
// Why brands: a studio may load two copies of a package (a DCC's own install of @pyblish/host
// beside the pipeline's; core's plugin-imports.ts exists because two copies of the core can load).
// A prototype check then fails: the error of one copy is not `instanceof` the other copy's class.
// So each class names itself, 'pyblish.<package>.<Class>', every error carries the names of its
// class and of the classes it extends under a Symbol.for key (one symbol in every copy), and
// `instanceof` compares names (undici does the same with its errors).
//
// Each class also lists its codes (`static codes`), so a test can check that no code string
// means two things in two classes. A class is declared with its brand and codes at once:
//   export class HostError extends codedError('pyblish.host.HostError', ['PORT_IN_USE', ...]) {}

const BRANDS = Symbol.for('pyblish.error.brands');

type Class<T> = abstract new (...args: never[]) => T;
type ErrorClass = Class<CodedError>;

/** The classes codedError made: each stands for the one class that extends it. */
const madeBases = new WeakSet<ErrorClass>();

/** The brand a class answers to: its own, or the one codedError gave its base; else none. */
function brandOf(cls: ErrorClass): string | null {
  if (Object.hasOwn(cls, 'brand')) return (cls as unknown as typeof CodedError).brand;
  const base = Object.getPrototypeOf(cls) as ErrorClass;
  return madeBases.has(base) ? (base as unknown as typeof CodedError).brand : null;
}

/** The brands of a class and of the classes it extends, computed once per class. */
const brandCache = new WeakMap<ErrorClass, readonly string[]>();

function brandsOf(cls: ErrorClass): readonly string[] {
  let brands = brandCache.get(cls);
  if (brands === undefined) {
    const list: string[] = [];
    for (let c: unknown = cls; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) list.push((c as typeof CodedError).brand);
    }
    brands = Object.freeze(list);
    brandCache.set(cls, brands);
  }
  return brands;
}

export abstract class CodedError<Code extends string = string> extends Error {
  /** 'pyblish.<package>.<Class>'. */
  static readonly brand: string = 'pyblish.errors.CodedError';
  /** Every code the class may carry; its `Code` type is derived from this list. */
  static readonly codes: readonly string[] = [];

  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    const cls = new.target as ErrorClass;
    const brand = brandOf(cls);
    // The name from the brand, not from the class binding, which a bundler may rename.
    this.name = brand === null ? cls.name : brand.slice(brand.lastIndexOf('.') + 1);
    Object.defineProperty(this, BRANDS, { value: brandsOf(cls) });
  }

  /** True for an error of this class from any copy of its package (compared by brand). */
  // biome-ignore-start lint/complexity/noThisInStatic: `this` is the class right of instanceof, often a subclass
  static override [Symbol.hasInstance]<T>(this: Class<T>, value: unknown): value is T {
    const brand = brandOf(this as unknown as ErrorClass);
    // A class without a brand (one a user derived) falls back to the prototype check.
    if (brand === null) return Function.prototype[Symbol.hasInstance].call(this, value);
    const brands = (value as { [BRANDS]?: unknown } | null | undefined)?.[BRANDS];
    return Array.isArray(brands) && brands.includes(brand);
  }
  // biome-ignore-end lint/complexity/noThisInStatic: see above
}

/**
 * The base of one error class, carrying its brand and its codes; the class that extends it
 * answers `instanceof` by that brand. `code` is typed as one of `codes`.
 */
export function codedError<const Codes extends readonly string[]>(brand: string, codes: Codes) {
  abstract class Base extends CodedError<Codes[number]> {
    static override readonly brand: string = brand;
    static override readonly codes: readonly Codes[number][] = codes;
  }
  madeBases.add(Base);
  return Base;
}
