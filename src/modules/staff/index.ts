/** Staff: the people who log in to the console, their roles, passwords (argon2id) and sessions. */
export {
  /** Creates a console user; generates the password when none is given (returned once, stored only as a hash). */
  createUser,
  /** Every console user (never a password hash). */
  listUsers,
  /** How many console users exist. */
  countUsers,
  /** The names of those actor ids that are console users, for the audit trail. */
  userNames,
  /** Creates admin@patron.local with a random password on a database without users, for `patron serve` to print. */
  ensureFirstAdmin,
  /** The resolver that lets the HTTP app accept a session cookie in place of an API key. */
  sessionResolver,
  /** Lower-cases and trims an e-mail the way logins compare them. */
  normalizeEmail,
  MIN_PASSWORD_LENGTH,
  FIRST_ADMIN_EMAIL,
} from './staff.service.ts';
export type { SessionTimeouts } from './staff.service.ts';
/** HTTP routes: POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me. */
export { registerStaffRoutes } from './staff.routes.ts';
/** Request and response schemas, shared with the console. */
export * as staffContracts from './staff.contract.ts';
