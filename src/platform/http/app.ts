import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Database } from '../db/client.ts';
import { AppError, ERROR_CODES, isAppError, translateDbError, type ErrorCode } from '../errors.ts';
import { ulid } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  KeyResolver,
  PERSONAL_DATA_ROLES,
  SESSION_COOKIE,
  auditPersonalDataRead,
  type Principal,
  type Role,
  type SessionResolver,
} from './auth.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route. Routes without it are public (health, OpenAPI). */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export type App = FastifyInstance;

export type AppDeps = {
  database: Database;
  logger: Logger;
  rateLimitPerMinute: number;
  version: string;
  /** Console sessions; without it, only API keys authenticate. */
  sessions?: SessionResolver;
};

/** The header a cookie-authenticated write must carry: a cross-site form or image cannot set it (CSRF). */
export const CONSOLE_HEADER = 'x-patron-console';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets the console session cookie: HttpOnly, SameSite=Lax, Secure when the request came over https. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: req.protocol === 'https', maxAge: Math.floor(maxAgeSeconds) });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: req.protocol === 'https' });
}

/** The session token the request carries, if any. */
export function sessionToken(req: FastifyRequest): string | undefined {
  const t = req.cookies[SESSION_COOKIE];
  return t ? t : undefined;
}

/** Cookie-authenticated writes must name the console in a header; API-key requests are not exposed to CSRF. */
export function requireConsoleHeader(req: FastifyRequest): void {
  if (!SAFE_METHODS.has(req.method) && req.headers[CONSOLE_HEADER] !== '1') {
    throw new AppError('AUTH_CSRF', `A request authenticated by the console session must send the header "${CONSOLE_HEADER}: 1".`);
  }
}

type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  message: string;
  fields?: { field: string; message: string }[];
  requestId: string;
  [k: string]: unknown;
};

function problem(req: FastifyRequest, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `urn:patron:error:${code}`,
    title: ERROR_CODES[code].description,
    status: ERROR_CODES[code].status,
    code,
    message,
    ...extra,
    requestId: req.id,
  };
}

function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Whether the principal may see personal data; such reads must be audited with `audit`. */
export function canReadPersonalData(req: FastifyRequest): boolean {
  return !!req.principal && PERSONAL_DATA_ROLES.includes(req.principal.role);
}

/**
 * The Fastify app with everything routes rely on: zod validation, OpenAPI from the same schemas, API-key auth with
 * roles, per-key rate limits, and one error handler that turns every error into application/problem+json.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${ulid()}`;
    },
    bodyLimit: 4 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const keys = new KeyResolver(deps.database);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Patron API', description: 'Customer loyalty and CRM for retailers.', version: deps.version },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `patron keys create`.' },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `The console's session, from POST /api/v1/auth/login. Writes must also send "${CONSOLE_HEADER}: 1".`,
          },
        },
      },
      security: [{ apiKey: [] }, { consoleSession: [] }],
    },
    transform: jsonSchemaTransform,
  });

  // Registered before the auth hook, whose onRequest needs the parsed cookies.
  await app.register(fastifyCookie);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const roles = req.routeOptions.config.roles;
    if (!roles) return;
    const header = req.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    let principal: Principal | null;
    // An explicit key wins over a cookie: the key is what a script means, and a header cannot be forged cross-site.
    if (secret) {
      principal = await keys.resolve(secret);
      if (!principal) throw new AppError('AUTH_INVALID_KEY', 'The API key is unknown or revoked.');
    } else {
      const token = sessionToken(req);
      if (!token || !deps.sessions) throw new AppError('AUTH_MISSING_KEY', 'Send an API key as "Authorization: Bearer <key>", or log in to the console.');
      const found = await deps.sessions.resolve(token);
      if (found.status === 'expired') throw new AppError('AUTH_SESSION_EXPIRED', 'The console session has ended; log in again.');
      requireConsoleHeader(req);
      principal = found.principal;
    }
    req.principal = principal;
    if (!roles.includes(principal.role)) {
      throw new AppError('AUTH_FORBIDDEN', `The role '${principal.role}' may not use this endpoint; it needs one of: ${roles.join(', ')}.`);
    }
  });

  await app.register(fastifyRateLimit, {
    hook: 'preHandler',
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => req.principal?.keyId ?? req.ip,
    allowList: (req) => !req.routeOptions.config.roles,
    errorResponseBuilder: (req, ctx) =>
      new AppError('RATE_LIMITED', `Rate limit of ${ctx.max} requests per minute exceeded for this key; retry in ${Math.ceil(ctx.ttl / 1000)} s.`),
  });

  app.setErrorHandler((err, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const fields = err.validation.map((v) => {
        const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
        return { field: path ? `${where}.${path}` : where, message: v.message ?? 'invalid' };
      });
      return sendProblem(reply, problem(req, 'VALIDATION_FAILED', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields }));
    }
    const e = translateDbError(err);
    if (isAppError(e)) {
      // A server-side fault (a configuration the operator must mend) is logged; the caller learns nothing of it.
      if (ERROR_CODES[e.code].status === 500) {
        req.log.error({ err: e }, e.message);
        return sendProblem(reply, problem(req, 'INTERNAL', 'Internal error; see the server log for this request id.'));
      }
      return sendProblem(reply, problem(req, e.code, e.message, e.details as Record<string, unknown>));
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return sendProblem(reply, problem(req, 'INTERNAL', 'Internal error; see the server log for this request id.'));
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 429) return sendProblem(reply, problem(req, 'RATE_LIMITED', (err as Error).message));
    if (status && status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, wrong content type, body too large) carry safe messages.
      return reply
        .code(status)
        .type('application/problem+json')
        .send({ ...problem(req, 'VALIDATION_FAILED', (err as Error).message), status });
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, problem(req, 'INTERNAL', 'Internal error; see the server log for this request id.'));
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(req, 'NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`)));

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await deps.database.query('SELECT 1');
    return { status: 'ok', database: deps.database.kind, version: deps.version };
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // `/` is the web console's (registerConsole in console.ts), or a landing page when the console is not built.
  return app as unknown as FastifyInstance;
}

/** Records that the request's principal read these customers' personal data. */
export async function audit(database: Database, req: FastifyRequest, action: string, customerIds: readonly string[]): Promise<void> {
  if (!req.principal || !canReadPersonalData(req)) return;
  await auditPersonalDataRead(database, req.principal, action, customerIds, req.id);
}

export type { ZodTypeProvider };
