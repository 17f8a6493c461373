import type { CompiledQuery } from 'kysely';

/** Stands for an argument, an element of a list argument, or a column of a row, while the query compiles. */
class Placeholder {
  constructor(
    readonly argument: number,
    readonly element?: number,
    readonly column?: string,
  ) {}
}

/**
 * A query compiled once per shape: later calls only put their arguments into the parameters.
 * Kysely builds and compiles a query's tree on every call otherwise, 10 to 20 µs a statement,
 * which was a tenth of a /book's time (bench/README.md). The shape is the length of each list
 * argument (rows to insert, ids); a row is an object whose columns are the same in every call.
 *
 * `compile` must put each argument, each element of a list and each column of a row into the
 * query as a parameter, unchanged, and look at nothing else: it runs once, on placeholders. A
 * value it does not pass through as a parameter throws on that first compile.
 */
export function compiledOnce<A extends unknown[], R>(
  compile: (...args: A) => CompiledQuery<R>,
): (...args: A) => CompiledQuery<R> {
  const byShape = new Map<string, CompiledQuery<R>>();
  return (...args) => {
    const shape = args.map((arg) => (Array.isArray(arg) ? arg.length : '')).join(',');
    let template = byShape.get(shape);
    if (!template) {
      template = templateOf(compile, args);
      byShape.set(shape, template);
    }
    return { ...template, parameters: template.parameters.map((parameter) => valueOf(parameter, args)) };
  };
}

function templateOf<A extends unknown[], R>(compile: (...args: A) => CompiledQuery<R>, args: A): CompiledQuery<R> {
  const placeholders = args.map((arg, index) =>
    Array.isArray(arg)
      ? arg.map((element: unknown, position) => placeholderOf(element, index, position))
      : placeholderOf(arg, index),
  );
  const template = compile(...(placeholders as A));
  const passed = new Set(template.parameters.filter((parameter) => parameter instanceof Placeholder));
  const expected = placeholders
    .flat()
    .flatMap((placeholder) =>
      placeholder instanceof Placeholder ? [placeholder] : Object.values(placeholder as Record<string, Placeholder>),
    );
  const missing = expected.find((placeholder) => !passed.has(placeholder));
  if (missing)
    throw new Error(`compiledOnce: argument ${missing.argument} is not passed as a parameter: ${template.sql}`);
  return template;
}

function placeholderOf(value: unknown, argument: number, element?: number): Placeholder | Record<string, Placeholder> {
  if (typeof value !== 'object' || value === null) return new Placeholder(argument, element);
  return Object.fromEntries(Object.keys(value).map((column) => [column, new Placeholder(argument, element, column)]));
}

function valueOf(parameter: unknown, args: readonly unknown[]): unknown {
  if (!(parameter instanceof Placeholder)) return parameter;
  const arg = args[parameter.argument];
  const value = parameter.element === undefined ? arg : (arg as readonly unknown[])[parameter.element];
  return parameter.column === undefined ? value : (value as Record<string, unknown>)[parameter.column];
}
