/** Request and response schemas of console accounts, shared with the web console (zod only, no server code). */
import { z } from 'zod';
import { ROLES } from '../../platform/http/roles.ts';

export const Role = z.enum(ROLES);

/** A console user as the API shows it: never the password hash. */
export const StaffUser = z.object({ id: z.string(), email: z.string(), name: z.string(), role: Role });
export type StaffUser = z.infer<typeof StaffUser>;

/** POST /api/v1/auth/login. The e-mail is matched case-insensitively. */
export const LoginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).strict();
export type LoginBody = z.infer<typeof LoginBody>;

/** The answer of POST /api/v1/auth/login and GET /api/v1/auth/me. */
export const UserResponse = z.object({ user: StaffUser });
export type UserResponse = z.infer<typeof UserResponse>;
