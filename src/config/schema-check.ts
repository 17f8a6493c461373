import type { TSchema } from 'typebox';
import type { TLocalizedValidationError } from 'typebox/error';
import { Value } from 'typebox/value';
import { ConfigError, formatPath, type Path } from './config-error.js';
import { RawConfigSchema, type RawConfig } from './config.schema.js';
import { isMapping } from './env-expansion.js';

/**
 * The structure check of an expanded config: strings coerced where the schema wants a number or
 * boolean, then TypeBox's check, its first error worded for a YAML author.
 */

/** The config as the schema describes it, or a ConfigError naming the first problem. */
export function checkStructure(expanded: unknown): RawConfig {
  return validate(coerceScalars(RawConfigSchema, expanded));
}

/** The parts of a JSON schema that coercion follows. */
interface SchemaNode {
  readonly type?: unknown;
  readonly properties?: Readonly<Record<string, TSchema>>;
  readonly patternProperties?: Readonly<Record<string, TSchema>>;
  readonly items?: TSchema;
}

const NUMBER_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * Turns strings into numbers or booleans where the schema wants one, so that
 * `port: ${PORT:-3000}` works. Deliberately stricter than TypeBox's
 * Value.Convert, which would turn '' into 0 and '3.5' into the integer 3.
 * Unions are not descended: every union in the schema accepts strings.
 */
function coerceScalars(type: TSchema, value: unknown): unknown {
  const schema: SchemaNode = type;
  if (Array.isArray(value)) {
    const { items } = schema;
    return items ? value.map((item) => coerceScalars(items, item)) : value;
  }
  if (isMapping(value)) {
    // A Record's values all share the schema of its single pattern.
    const shared = Object.values(schema.patternProperties ?? {})[0];
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const itemSchema = schema.properties?.[key] ?? shared;
        return [key, itemSchema ? coerceScalars(itemSchema, item) : item];
      }),
    );
  }
  if (typeof value !== 'string') return value;
  if ((schema.type === 'integer' || schema.type === 'number') && NUMBER_TEXT.test(value)) {
    return Number(value);
  }
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function validate(value: unknown): RawConfig {
  if (Value.Check(RawConfigSchema, value)) return value;
  const errors = Value.Errors(RawConfigSchema, value);
  // A failed union lists each branch's complaint before its own; the union's own error is the useful one.
  const error = errors.find((candidate) => !candidate.schemaPath.includes('/anyOf/')) ?? errors[0];
  if (!error) throw new Error('TypeBox rejected the config without reporting an error');
  throw schemaError(value, error);
}

/** Names a JSON type the way a YAML author thinks of it. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

/** Our own wording for TypeBox errors; TypeBox's messages are set globally, which would affect other modules. */
function schemaError(root: unknown, error: TLocalizedValidationError): ConfigError {
  const path = pointerToPath(root, error.instancePath);
  const at = (where: Path, reason: string) => new ConfigError(formatPath(where), reason);
  switch (error.keyword) {
    case 'boolean': // `additionalProperties: false` reports each unknown key as a failed `false` schema
      return at(path, 'unknown key');
    case 'additionalProperties':
      return at([...path, error.params.additionalProperties[0] ?? ''], 'unknown key');
    case 'required':
      return at([...path, error.params.requiredProperties[0] ?? ''], 'required');
    case 'type': {
      const types = [error.params.type].flat().map((type) => TYPE_NAMES[type] ?? type);
      return at(path, `must be ${types.join(' or ')}`);
    }
    case 'anyOf': {
      const schema = Value.Pointer.Get(RawConfigSchema, error.schemaPath.replace(/^#/, ''));
      return at(path, `must be ${(schema as { description?: string }).description ?? 'valid'}`);
    }
    case 'enum':
      return at(path, `must be one of ${error.params.allowedValues.join(', ')}`);
    case 'minItems':
    case 'minLength':
      return at(path, error.params.limit === 1 ? 'must not be empty' : error.message);
    case 'minimum':
      return at(path, `must be at least ${error.params.limit}`);
    case 'maximum':
      return at(path, `must be at most ${error.params.limit}`);
    case 'pattern':
      return at(
        path,
        `${JSON.stringify(Value.Pointer.Get(root, error.instancePath))} must match ${error.params.pattern}`,
      );
    default:
      return at(path, error.message);
  }
}

/** Turns a JSON pointer into a key path, telling list indices from keys by looking at the value. */
function pointerToPath(root: unknown, pointer: string): Path {
  const path: (string | number)[] = [];
  let node = root;
  for (const segment of Value.Pointer.Indices(pointer)) {
    path.push(Array.isArray(node) ? Number(segment) : segment);
    node = isMapping(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}
