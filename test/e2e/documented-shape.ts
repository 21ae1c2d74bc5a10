/** A schema of the OpenAPI document, as far as the shape check reads it. */
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  /** Keys every answer has; a documented key not listed here may be left out. */
  required?: string[];
  items?: Schema;
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
}

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> };

export interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
  paths?: Record<string, Record<string, Operation>>;
}

const SCALAR_TYPES: Readonly<Record<string, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  integer: (value) => Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  array: (value) => Array.isArray(value),
  object: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};

/**
 * Where an answer and the OpenAPI document's schema of it disagree, at every depth the schema
 * describes: keys answered but not documented, or documented as required but not answered; a null
 * where the schema does not allow one; a value of another type than documented, or outside its
 * enum. A schema name the document does not have is a mismatch too. Free-form objects (no
 * properties) are not looked into; a value with alternatives (`oneOf`) must be of one of their types.
 */
export function shapeMismatches(document: OpenApiDocument, schemaName: string, value: unknown): string[] {
  if (!document.components.schemas[schemaName]) return [`${schemaName}: no such schema in the document`];
  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) {
      const name = schema.$ref.split('/').pop() as string;
      return resolve(document.components.schemas[name] ?? {});
    }
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0] as Schema);
    return schema;
  };
  const walk = (schema: Schema, answered: unknown, path: string): string[] => {
    const resolved = resolve(schema);
    if (answered === null) {
      return schema.nullable || resolved.nullable || resolved.oneOf?.some((alternative) => alternative.nullable)
        ? []
        : [`${path}: null, not documented as nullable`];
    }
    if (resolved.enum && !resolved.enum.includes(answered)) {
      return [`${path}: ${JSON.stringify(answered)} is not one of ${JSON.stringify(resolved.enum)}`];
    }
    if (resolved.type && SCALAR_TYPES[resolved.type] && !SCALAR_TYPES[resolved.type](answered)) {
      return [`${path}: ${JSON.stringify(answered)} is not of type ${resolved.type}`];
    }
    if (resolved.oneOf) {
      const fits = resolved.oneOf.some(
        (alternative) => !alternative.type || SCALAR_TYPES[alternative.type]?.(answered),
      );
      return fits ? [] : [`${path}: ${JSON.stringify(answered)} fits none of its alternatives`];
    }
    if (typeof answered !== 'object') return [];
    if (Array.isArray(answered)) {
      const items = resolved.items;
      return items ? answered.flatMap((item, index) => walk(items, item, `${path}[${index}]`)) : [];
    }
    const properties = resolved.properties;
    if (!properties) return [];
    const keys = Object.keys(answered);
    return [
      ...keys.filter((key) => !(key in properties)).map((key) => `${path}.${key}: answered, not documented`),
      ...(resolved.required ?? [])
        .filter((key) => !keys.includes(key))
        .map((key) => `${path}.${key}: documented, not answered`),
      ...keys
        .filter((key) => key in properties)
        .flatMap((key) =>
          walk(properties[key] as Schema, (answered as Record<string, unknown>)[key], `${path}.${key}`),
        ),
    ];
  };
  return walk({ $ref: `#/components/schemas/${schemaName}` }, value, schemaName);
}

/**
 * `shapeMismatches` for the answer of `GET path` (query string left out), against the schema the
 * document gives that route's 200 answer: a route the document does not describe is a mismatch.
 */
export function answerMismatches(document: OpenApiDocument, path: string, value: unknown): string[] {
  const bare = path.split('?')[0] as string;
  const route = Object.entries(document.paths ?? {}).find(([template]) =>
    new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
  const schema = route?.[1].get?.responses?.['200']?.content?.['application/json']?.schema;
  const name = schema?.$ref?.split('/').pop();
  if (!name) return [`GET ${bare}: no documented answer`];
  return shapeMismatches(document, name, value);
}
