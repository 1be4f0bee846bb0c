import type { FastifyInstance } from 'fastify';
import { registerConsoleRoutes } from '../flows/console/overview.routes.ts';
import { registerCustomer360Routes } from '../flows/customer-360/customer-360.routes.ts';
import { registerImportRoutes } from '../flows/import/uploads.routes.ts';
import { registerProgramPnlRoutes } from '../flows/program-pnl/program-pnl.routes.ts';
import { registerReceiptRoutes } from '../flows/receipts/receipts.routes.ts';
import { registerTillRoutes } from '../flows/till/till.routes.ts';
import { registerAnalyticsRoutes } from '../modules/analytics/index.ts';
import { registerCatalogRoutes } from '../modules/catalog/index.ts';
import { registerCustomerRoutes } from '../modules/customers/index.ts';
import { registerExperimentRoutes } from '../modules/experiments/index.ts';
import { registerCampaignRoutes } from '../modules/campaigns/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import { registerOfferRoutes } from '../modules/offers/index.ts';
import { registerSegmentRoutes } from '../modules/segments/index.ts';
import * as staff from '../modules/staff/index.ts';
import { config } from '../platform/config.ts';
import type { Database } from '../platform/db/client.ts';
import { createApp } from '../platform/http/app.ts';
import { registerAuditRoutes } from '../platform/http/audit.routes.ts';
import { registerConsole } from '../platform/http/console.ts';
import { registerKeyRoutes } from '../platform/http/keys.routes.ts';
import type { Logger } from '../platform/logger.ts';
import { VERSION } from '../platform/paths.ts';

/** The HTTP API: the platform app plus every module's and flow's routes. The composition root for HTTP. */
export async function buildServer(
  database: Database,
  opts: { logger: Logger; rateLimitPerMinute: number; sessionTimeouts?: staff.SessionTimeouts },
): Promise<FastifyInstance> {
  const sessionTimeouts = opts.sessionTimeouts ?? config().session;
  const app = await createApp({
    database,
    logger: opts.logger,
    rateLimitPerMinute: opts.rateLimitPerMinute,
    version: VERSION,
    sessions: staff.sessionResolver(database, sessionTimeouts),
  });
  staff.registerStaffRoutes(app, database, sessionTimeouts);
  registerConsoleRoutes(app, database);
  registerImportRoutes(app, database);
  registerCustomerRoutes(app, database);
  registerCustomer360Routes(app, database);
  registerReceiptRoutes(app, database);
  registerKeyRoutes(app, database);
  registerCatalogRoutes(app, database);
  registerAuditRoutes(app, database, { actorNames: (ids) => staff.userNames(database, ids) });
  registerSegmentRoutes(app, database);
  registerAnalyticsRoutes(app, database);
  registerExperimentRoutes(app, database);
  registerCampaignRoutes(app, database);
  registerProgramPnlRoutes(app, database);
  loyalty.registerLoyaltyRoutes(app, database);
  registerOfferRoutes(app, database, async () => {
    const p = await loyalty.getProgram(database);
    return { currency: p.config.currency, groups: p.config.stacking.groups.map((g) => g.key) };
  });
  registerTillRoutes(app, database);
  // The web console (web/dist) at `/`, with index.html for client-side routes; registered last, it only takes what no API route does.
  await registerConsole(app);
  await app.ready();
  return app;
}
