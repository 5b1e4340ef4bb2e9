import { Database } from '@demo/shared/sqlite';

// notifications.db: every notification "sent" (this demo logs it instead of emailing).

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notifications (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id    INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  channel     TEXT    NOT NULL,
  message     TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('sent')),
  created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
`;

export interface NotificationRow {
  id: number;
  order_id: number;
  user_id: number;
  channel: string;
  message: string;
  status: 'sent';
  created_at: string;
}

export function openNotificationsDb(file: string) {
  const db = Database.open(file, SCHEMA);
  const insert = db.prepare(
    "INSERT INTO notifications (order_id, user_id, channel, message, status) VALUES (:orderId, :userId, :channel, :message, 'sent')",
  );
  const latest = db.prepare<NotificationRow>('SELECT * FROM notifications ORDER BY id DESC LIMIT :limit');

  return {
    db,
    record: (orderId: number, userId: number, channel: string, message: string) =>
      Number(insert.run({ orderId, userId, channel, message }).lastInsertRowid),
    latest: (limit: number) => latest.all({ limit }),
  };
}

export type NotificationsDb = ReturnType<typeof openNotificationsDb>;
