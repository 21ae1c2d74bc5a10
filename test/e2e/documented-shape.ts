/** A schema of the OpenAPI document, as far as the shape check reads it. */
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  /** Keys every answer has; a documented key not listed here may be left out. */
  required?: string[];
  items?: Schema;
}

export interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
}

/**
 * Where an answer and the OpenAPI document's schema of it disagree: keys answered but not
 * documented, or documented as required but not answered, at every depth the schema describes.
 * Free-form objects (no properties) and scalars are not looked into.
 */
export function shapeMismatches(document: OpenApiDocument, schemaName: string, value: unknown): string[] {
  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop() as string] ?? {});
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0] as Schema);
    return schema;
  };
  const walk = (schema: Schema, answered: unknown, path: string): string[] => {
    const resolved = resolve(schema);
    if (answered === null || typeof answered !== 'object') return [];
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
