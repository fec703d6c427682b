// EVENT_FLOWS (libs/contracts) is what the event documents say; the apps are what happens. This
// reads the apps' sources and holds the declaration to them: each app publishes exactly what its
// OutboxModule.forRoot({ produces }) lists and its code passes to outbox.event(…), and consumes
// exactly the types of its @EventPattern handlers.
import { globSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EVENT_FLOWS, SERVICE_NAMES, type ServiceName } from '@commerce/contracts';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

interface Findings {
  consumes: string[];
  produces: string[];
  publishes: string[];
}

/** The event types a source file consumes, declares to its outbox, and writes to it; a type that is not a literal is an error. */
export function scanSource(file: string, text: string): Findings {
  const found: Findings = { consumes: [], produces: [], publishes: [] };
  const literal = (node: ts.Node | undefined, what: string): string => {
    if (node && ts.isStringLiteralLike(node)) return node.text;
    throw new Error(
      `${file}: ${what} is not a string literal, so it cannot be checked: ${node?.getText() ?? '(none)'}`,
    );
  };
  const visit = (node: ts.Node) => {
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression)) {
      const call = node.expression;
      if (ts.isIdentifier(call.expression) && call.expression.text === 'EventPattern')
        found.consumes.push(literal(call.arguments[0], '@EventPattern(…)'));
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const { expression: target, name } = node.expression;
      const arg = node.arguments[0];
      if (name.text === 'forRoot' && target.getText() === 'OutboxModule' && arg && ts.isObjectLiteralExpression(arg)) {
        const produces = arg.properties.find((p) => p.name?.getText() === 'produces');
        if (!produces || !ts.isPropertyAssignment(produces) || !ts.isArrayLiteralExpression(produces.initializer))
          throw new Error(`${file}: OutboxModule.forRoot needs a literal produces: [...]`);
        found.produces.push(...produces.initializer.elements.map((e) => literal(e, 'produces: [...]')));
      }
      if (name.text === 'event' && /\boutbox$/i.test(target.getText()))
        found.publishes.push(literal(arg, 'outbox.event(type, …)'));
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true));
  return found;
}

function scanApp(app: ServiceName): Findings {
  const all: Findings = { consumes: [], produces: [], publishes: [] };
  const files = globSync(`apps/${app}/src/**/*.ts`, { cwd: ROOT }).filter(
    (file) => !/\.(spec|int-spec)\.ts$/.test(file) && !file.includes('/generated/'),
  );
  for (const file of files) {
    const found = scanSource(relative(ROOT, join(ROOT, file)), readFileSync(join(ROOT, file), 'utf8'));
    all.consumes.push(...found.consumes);
    all.produces.push(...found.produces);
    all.publishes.push(...found.publishes);
  }
  return all;
}

const sorted = (types: Iterable<string>) => [...new Set(types)].sort();
const flows = Object.entries(EVENT_FLOWS);

describe('the choreography declared in libs/contracts', () => {
  it('reads the three places an app names an event type', () => {
    const source = `
      @Module({ imports: [OutboxModule.forRoot({ produces: ['order.placed', 'order.cancelled'] })] }) class M {}
      class C { @EventPattern('payment.failed') on() { return this.outbox.event('order.cancelled', {}, 'id'); } }`;
    expect(scanSource('x.ts', source)).toEqual({
      consumes: ['payment.failed'],
      produces: ['order.placed', 'order.cancelled'],
      publishes: ['order.cancelled'],
    });
    expect(() => scanSource('y.ts', 'class C { @EventPattern(TYPE) on() {} }')).toThrow(/not a string literal/);
  });

  it.each(SERVICE_NAMES)('is what %s publishes and consumes', (app) => {
    const found = scanApp(app);
    const publishes = sorted(flows.filter(([, flow]) => flow.publisher === app).map(([type]) => type));
    const consumes = sorted(flows.filter(([, flow]) => app in flow.consumers).map(([type]) => type));
    expect(sorted(found.produces), `OutboxModule.forRoot({ produces }) of ${app}`).toEqual(publishes);
    expect(sorted(found.publishes), `outbox.event(type, …) in ${app}`).toEqual(publishes);
    expect(sorted(found.consumes), `@EventPattern handlers of ${app}`).toEqual(consumes);
    // An app has one handler per event type (its consumer group runs one).
    expect(found.consumes).toHaveLength(consumes.length);
  });
});
