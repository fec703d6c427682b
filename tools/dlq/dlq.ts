// Dead-letter tooling:  npm run dlq -- <command>
//   list [--topic <event type>]                 dead letters per topic, with their reasons
//   show <ref>                                  one dead letter whole (ref: <dlq topic>:<partition>:<offset>)
//   redrive <ref>… | --all [--topic <type>]     back to the original topic, key and headers kept
// Reads KAFKA_BROKERS (default 127.0.0.1:9092) and KAFKA_TOPIC_PREFIX. Redriving a letter twice
// applies it once: every consumer's inbox has seen its event id.
import { createKafka } from '@commerce/kafka';
import { logLevel } from 'kafkajs';
import { type DeadLetter, deadLetterTopics, readDeadLetters, redrive } from './dead-letter-admin.ts';

const [command, ...rest] = process.argv.slice(2);
const flag = (name: string) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const kafka = createKafka(
  { KAFKA_BROKERS: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), KAFKA_CLIENT_ID: 'dlq-tool' },
  { logLevel: logLevel.ERROR },
);

async function letters(): Promise<DeadLetter[]> {
  const type = flag('--topic');
  const topics = type ? [`${prefix}${type}.dlq`] : await deadLetterTopics(kafka, prefix);
  return readDeadLetters(kafka, topics);
}

function eventOf(letter: DeadLetter): { eventId?: string; eventType?: string } {
  try {
    return JSON.parse(letter.value ?? '');
  } catch {
    return { eventId: letter.headers['event-id'] };
  }
}

switch (command) {
  case 'list': {
    const all = await letters();
    const byTopic = Map.groupBy(all, (l) => l.dlqTopic);
    if (all.length === 0) console.log('no dead letters');
    for (const [topic, group] of byTopic) {
      console.log(`${topic}  (${group.length})`);
      for (const letter of group) {
        console.log(
          `  ${letter.ref}  ${letter.reason.padEnd(15)} ${letter.failedAt}  event ${eventOf(letter).eventId ?? '?'}  ${letter.error.slice(0, 100)}`,
        );
      }
    }
    break;
  }
  case 'show': {
    const ref = rest[0];
    const letter = (await letters()).find((l) => l.ref === ref);
    if (!letter) throw new Error(`no dead letter ${ref}`);
    console.log(
      JSON.stringify(
        {
          ...letter,
          value: (() => {
            try {
              return JSON.parse(letter.value ?? '');
            } catch {
              return letter.value;
            }
          })(),
        },
        null,
        2,
      ),
    );
    break;
  }
  case 'redrive': {
    const all = await letters();
    const chosen = rest.includes('--all') ? all : all.filter((l) => rest.includes(l.ref));
    const missing = rest.filter((r) => !r.startsWith('--') && r !== flag('--topic') && !all.some((l) => l.ref === r));
    if (missing.length) throw new Error(`no dead letter ${missing.join(', ')}`);
    const sent = await redrive(kafka, chosen);
    console.log(`redrove ${sent} dead letter${sent === 1 ? '' : 's'}`);
    for (const letter of chosen) console.log(`  ${letter.ref} -> ${letter.originalTopic}`);
    break;
  }
  default:
    console.error(
      'usage: npm run dlq -- list [--topic <type>] | show <ref> | redrive <ref>… | redrive --all [--topic <type>]',
    );
    process.exit(2);
}
