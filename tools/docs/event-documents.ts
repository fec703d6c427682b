// What docs/asyncapi.yaml and the picture of docs/events.md say, built from libs/contracts alone:
// the catalog (every version's zod schema), the envelope and its headers, and the choreography
// (EVENT_FLOWS: who publishes, who consumes). Pure functions; tools/docs/asyncapi.ts writes them.
import {
  EVENT_CATALOG,
  EVENT_FLOWS,
  EVENT_HEADERS,
  type EventCatalog,
  type EventFlow,
  envelopeSchema,
  headersOfEnvelope,
  SERVICE_NAMES,
  type ServiceName,
} from '@commerce/contracts';
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

/** The catalog and the choreography the documents describe; tests pass altered ones. */
export interface EventContracts {
  catalog: EventCatalog;
  flows: Record<string, EventFlow>;
}

export const CONTRACTS: EventContracts = { catalog: EVENT_CATALOG, flows: EVENT_FLOWS };

/**
 * JSON Schema (draft-07, AsyncAPI's default schema format) of what a reader accepts: the input
 * side, so objects allow fields they do not know, as the catalog's readers do.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as JsonSchema;
  return rest;
}

/** The name of one version of an event type, as a schema and message name: `order.placed.v1`. */
export const versionName = (type: string, version: number) => `${type}.v${version}`;

/** Every version's data schema, keyed by versionName, in the catalog's order. */
export function eventSchemas(catalog: EventCatalog): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.values(catalog).flatMap((definition) =>
      definition.versions.map((v) => [versionName(definition.type, v.version), jsonSchemaOf(v.schema)]),
    ),
  );
}

const KAFKA_BINDING_VERSION = '0.5.0';

// The headers that mirror no envelope field: sent only when the event was stored while tracing.
const TRACE_HEADERS: Record<string, string> = {
  [EVENT_HEADERS.traceparent]:
    'W3C traceparent of the span that stored the event in the outbox (the request or handler it came from), when it was traced: the consumer continues this trace',
  [EVENT_HEADERS.relayTraceparent]:
    "W3C traceparent of the outbox relay's publish span, when the relay traces: the consumer's span links to it",
};

/** The Kafka headers of one version: each mirrors a field of the envelope; the others are optional. */
function headersSchema(type: string, version: number): JsonSchema {
  const sample = headersOfEnvelope({ eventId: 'id', eventType: type, eventVersion: version, correlationId: 'id' });
  const fieldOf = Object.fromEntries(Object.entries(EVENT_HEADERS).map(([field, header]) => [header, field]));
  const properties = Object.fromEntries(
    Object.values(EVENT_HEADERS).map((header) => {
      const field = fieldOf[header];
      if (!(header in sample)) return [header, { type: 'string', description: TRACE_HEADERS[header] }];
      const value =
        field === 'eventType' ? { const: type } : field === 'eventVersion' ? { const: String(version) } : {};
      return [header, { type: 'string', ...value, description: `the envelope's ${field}` }];
    }),
  );
  return { type: 'object', properties, required: Object.keys(sample) };
}

const serviceTags = (services: ServiceName[]) => services.map((name) => ({ name }));

/** The AsyncAPI 3.0 document of the events: one channel per topic, one message per version. */
export function asyncApiDocument(contracts: EventContracts, info: { version: string }): JsonSchema {
  const { catalog, flows } = contracts;
  const channels: JsonSchema = {};
  const operations: JsonSchema = {};
  const messages: JsonSchema = {};
  const schemas: JsonSchema = { envelope: jsonSchemaOf(envelopeSchema) };
  for (const definition of Object.values(catalog)) {
    const { type, versions } = definition;
    const flow = flows[type];
    const newest = versions[versions.length - 1].version;
    const channelMessages: JsonSchema = {};
    for (const { version, schema } of versions) {
      const name = versionName(type, version);
      schemas[name] = jsonSchemaOf(schema);
      messages[name] = {
        name: type,
        title: `${type} v${version}`,
        summary: flow.summary,
        description:
          version === newest
            ? `Published as version ${version}.`
            : `No longer published; a reader still accepts it and upcasts it to version ${newest}.`,
        contentType: 'application/json',
        headers: headersSchema(type, version),
        payload: {
          allOf: [
            { $ref: '#/components/schemas/envelope' },
            {
              type: 'object',
              properties: {
                eventType: { const: type },
                eventVersion: { const: version },
                source: { const: flow.publisher },
                data: { $ref: `#/components/schemas/${name}` },
              },
            },
          ],
        },
        bindings: {
          kafka: {
            key: { type: 'string', description: `the data's ${flow.key}, also the envelope's aggregateId` },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      };
      channelMessages[name] = { $ref: `#/components/messages/${name}` };
    }
    channels[type] = {
      address: type,
      title: type,
      summary: flow.summary,
      description: `Its consumers dead-letter what they cannot read or handle to \`${type}.dlq\`.`,
      messages: channelMessages,
      bindings: { kafka: { topic: type, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[`${flow.publisher}.send.${type}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${type}` },
      summary: `${flow.publisher} publishes ${type} through its outbox`,
      messages: [{ $ref: `#/channels/${type}/messages/${versionName(type, newest)}` }],
      tags: serviceTags([flow.publisher]),
    };
    for (const [consumer, what] of Object.entries(flow.consumers) as [ServiceName, string][]) {
      operations[`${consumer}.receive.${type}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${type}` },
        summary: `${consumer}: ${what}`,
        messages: versions.map((v) => ({ $ref: `#/channels/${type}/messages/${versionName(type, v.version)}` })),
        tags: serviceTags([consumer]),
        bindings: {
          kafka: { groupId: { type: 'string', enum: [consumer] }, bindingVersion: KAFKA_BINDING_VERSION },
        },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'commerce events',
      version: info.version,
      description:
        'The events of the five apps (docs/contract.md, Events): one Kafka topic per event type, named as ' +
        'the type; the value is a JSON envelope whose data is checked per type and version; the key is ' +
        'the aggregate id. Every app publishes through its transactional outbox and consumes in its own ' +
        'consumer group, named as the app. Generated from libs/contracts by tools/docs/asyncapi.ts.',
      tags: serviceTags(SERVICE_NAMES),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The local broker of tools/infra; apps take theirs from KAFKA_BROKERS.',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

const nodeId = (name: string) => name.replace(/[^a-z0-9]/gi, '_');

/** A Mermaid flowchart of the choreography: each app, the topics it publishes, the apps that consume them. */
export function choreographyMermaid(contracts: EventContracts): string {
  const lines = ['flowchart LR'];
  for (const service of SERVICE_NAMES) lines.push(`  ${service}(["${service}"])`);
  for (const type of Object.keys(contracts.catalog)) lines.push(`  ${nodeId(type)}[/"${type}"/]`);
  for (const [type, flow] of Object.entries(contracts.flows)) {
    lines.push(`  ${flow.publisher} --> ${nodeId(type)}`);
    for (const consumer of Object.keys(flow.consumers)) lines.push(`  ${nodeId(type)} --> ${consumer}`);
  }
  return lines.join('\n');
}

/** The generated part of docs/events.md: the picture, then a table of versions, publisher and consumers. */
export function eventsMarkdown(contracts: EventContracts): string {
  const rows = Object.values(contracts.catalog).map(({ type, versions }) => {
    const flow = contracts.flows[type];
    const consumers = Object.entries(flow.consumers).map(([app, what]) => `${app}: ${what}`);
    const schemas = versions.map(
      (v) => `[v${v.version}](../libs/contracts/schemas/${versionName(type, v.version)}.json)`,
    );
    return `| \`${type}\` | ${schemas.join(', ')} | ${flow.publisher} | \`${flow.key}\` | ${consumers.join('<br>') || '–'} |`;
  });
  return [
    '```mermaid',
    choreographyMermaid(contracts),
    '```',
    '',
    '| event (topic) | versions (frozen schemas) | publisher | key | consumers |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
