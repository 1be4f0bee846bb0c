import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { clearSessionCookie, requireConsoleHeader, sessionToken, setSessionCookie } from '../../platform/http/app.ts';
import { LoginBody, UserResponse } from './staff.contract.ts';
import * as service from './staff.service.ts';

const tags = ['auth'];

/** Login attempts per IP address and e-mail per minute: enough for typos, too few for guessing. */
const LOGIN_ATTEMPTS_PER_MINUTE = 10;

export function registerStaffRoutes(app: FastifyInstance, database: Database, timeouts: service.SessionTimeouts): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/auth/login', {
    config: {
      rateLimit: {
        max: LOGIN_ATTEMPTS_PER_MINUTE,
        timeWindow: 60_000,
        allowList: () => false,
        keyGenerator: (req) => `login:${req.ip}:${service.normalizeEmail(String((req.body as { email?: unknown } | undefined)?.email ?? ''))}`,
        errorResponseBuilder: (_req, ctx) =>
          new AppError('RATE_LIMITED', `Too many login attempts for this e-mail from this address; retry in ${Math.ceil(ctx.ttl / 1000)} s.`),
      },
    },
    schema: {
      tags,
      summary: 'Log in to the console: sets the HttpOnly session cookie `patron_session`',
      security: [],
      body: LoginBody,
      response: { 200: UserResponse },
    },
    handler: async (req, reply) => {
      const { user, token, maxAgeSeconds } = await service.login(database, req.body.email, req.body.password, timeouts);
      setSessionCookie(req, reply, token, maxAgeSeconds);
      return { user };
    },
  });

  r.post('/api/v1/auth/logout', {
    schema: {
      tags,
      summary: 'End the console session and clear its cookie (send "x-patron-console: 1")',
      security: [],
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      const token = sessionToken(req);
      if (token) {
        requireConsoleHeader(req);
        await service.logout(database, token);
      }
      clearSessionCookie(req, reply);
      return reply.code(204).send(null);
    },
  });

  r.get('/api/v1/auth/me', {
    schema: { tags, summary: "The console session's user", security: [], response: { 200: UserResponse } },
    handler: async (req) => {
      const token = sessionToken(req);
      if (!token) throw new AppError('AUTH_MISSING_KEY', 'No console session: log in with POST /api/v1/auth/login.');
      const s = await service.resolveSession(database, token, timeouts);
      if (s.status !== 'ok') throw new AppError('AUTH_SESSION_EXPIRED', 'The console session has ended; log in again.');
      return { user: s.user };
    },
  });
}
