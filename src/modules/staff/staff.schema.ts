import { index, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

export const staff = pgSchema('staff');

/** People who log in to the console. The e-mail is stored lower-cased, so its unique key is case-insensitive. */
export const users = staff.table('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  /** An argon2id PHC string (algorithm, parameters, salt and hash). */
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Console sessions. The token lives only in the browser's cookie; the table keeps its SHA-256, so a copy of the table
 * cannot be replayed. A session ends at the earlier of `idle_expires_at` (pushed forward by use) and `expires_at`.
 */
export const sessions = staff.table(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    idleExpiresAt: timestamp('idle_expires_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
