import Database from 'better-sqlite3';
import { BagError } from './errors.js';
import type { BagInfo, BagMessage, BagReader, BagSchema, BagTopic, ReadOptions } from './types.js';

interface TopicRow {
  id: bigint;
  name: string;
  type: string;
  serialization_format: string;
}

interface MessageRow {
  topic_id: bigint;
  timestamp: bigint;
  data: Buffer;
}

/**
 * Opens a rosbag2 sqlite3 bag (`.db3`, Humble's default storage). Read-only:
 * a bag being recorded can be inspected without blocking the recorder.
 * Integers come back as bigint (`safeIntegers`): timestamps are int64 ns and
 * lose their last digits as doubles.
 */
export function openSqliteBag(path: string): BagReader {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.defaultSafeIntegers(true);
    db.prepare('SELECT 1 FROM topics LIMIT 1').get();
  } catch (error) {
    throw new BagError('bag.corrupt', `${path}: not a rosbag2 sqlite3 bag: ${messageOf(error)}`, { cause: error });
  }
  const topicRows = db
    .prepare('SELECT id, name, type, serialization_format FROM topics ORDER BY name')
    .all() as TopicRow[];
  const schemas = storedDefinitions(db);
  const counts = new Map<bigint, bigint>();
  for (const row of db.prepare('SELECT topic_id, COUNT(*) AS n FROM messages GROUP BY topic_id').all() as {
    topic_id: bigint;
    n: bigint;
  }[]) {
    counts.set(row.topic_id, row.n);
  }
  const span = db.prepare('SELECT MIN(timestamp) AS start, MAX(timestamp) AS end FROM messages').get() as {
    start: bigint | null;
    end: bigint | null;
  };
  const topics: BagTopic[] = topicRows.map((t) => {
    const schema = schemas.get(t.type);
    return {
      name: t.name,
      type: t.type,
      serializationFormat: t.serialization_format,
      messageCount: Number(counts.get(t.id) ?? 0n),
      ...(schema === undefined ? {} : { schema }),
    };
  });
  const info: BagInfo = {
    path,
    storage: 'sqlite3',
    compression: [],
    topics,
    messageCount: topics.reduce((n, t) => n + t.messageCount, 0),
    startNs: span.start ?? undefined,
    endNs: span.end ?? undefined,
  };
  const topicById = new Map(topicRows.map((t) => [t.id, t.name]));
  const idByTopic = new Map(topicRows.map((t) => [t.name, t.id]));

  return {
    info,
    // better-sqlite3 is synchronous; the generator is async only to meet BagReader's AsyncIterable contract.
    // eslint-disable-next-line @typescript-eslint/require-await
    async *messages(options: ReadOptions = {}): AsyncGenerator<BagMessage> {
      let sql = 'SELECT topic_id, timestamp, data FROM messages';
      const ids: bigint[] = [];
      if (options.topics !== undefined) {
        for (const name of options.topics) {
          const id = idByTopic.get(name);
          if (id !== undefined) ids.push(id);
        }
        if (ids.length === 0) return;
        sql += ` WHERE topic_id IN (${ids.map(() => '?').join(',')})`;
      }
      // rosbag2 indexes `timestamp`; id breaks ties in recording order.
      sql += ' ORDER BY timestamp, id';
      const rows = db.prepare(sql).iterate(...ids) as IterableIterator<MessageRow>;
      for (const row of rows) {
        yield { topic: topicById.get(row.topic_id) ?? '', logTimeNs: row.timestamp, data: row.data };
      }
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

/** Iron and later store each type's definition in `message_definitions`; older bags have no such table. */
function storedDefinitions(db: Database.Database): Map<string, BagSchema> {
  const out = new Map<string, BagSchema>();
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'message_definitions'")
    .get();
  if (table === undefined) return out;
  const rows = db.prepare('SELECT topic_type, encoding, encoded_message_definition FROM message_definitions').all() as {
    topic_type: string;
    encoding: string;
    encoded_message_definition: string;
  }[];
  for (const r of rows) {
    if (r.encoded_message_definition === '') continue;
    out.set(r.topic_type, { name: r.topic_type, encoding: r.encoding, text: r.encoded_message_definition });
  }
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
