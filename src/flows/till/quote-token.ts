import { config } from '../../platform/config.ts';
import { AppError } from '../../platform/errors.ts';
import { openToken, sealToken } from '../../platform/secrets.ts';
import { type CommitBody, type CommitRequest, QuoteBody } from './till.contract.ts';

// A quote's token: the basket as priced (store, currency, customer, lines, and the quote's time), sealed with the
// sealing key (platform/secrets.ts) and handed to the till with the quote. The till commits by it without sending the
// basket again, and gets it priced at the quote's time: an offer that ends between the quote and the payment still
// applies, as the cashier told the customer. Nothing is stored: any API process with the same key opens it, until it
// expires. Sealed rather than signed, because it carries the customer's identity (a phone, an e-mail) through the
// till's logs.

const PURPOSE = 'till quote v1';

type Sealed = { body: QuoteBody; exp: number };

/** The token of a quote of `body`, priced at `body.at`, valid for PATRON_QUOTE_TTL_MINUTES from `now`. */
export function issueQuoteToken(body: QuoteBody & { at: string }, now = Date.now()): { token: string; expiresAt: string } {
  const exp = now + config().quoteTtlMinutes * 60_000;
  const sealed: Sealed = { body, exp };
  return { token: sealToken(JSON.stringify(sealed), PURPOSE), expiresAt: new Date(exp).toISOString() };
}

/**
 * The sale that a commit request asks for: its basket as sent, or the quoted one. By a quote, the points and
 * certificates default to the quote's, the sale happens now unless `occurredAt` says otherwise, and pricing is at
 * the quote's time. Errors name the field: LOYALTY_QUOTE_INVALID (not a token of ours, altered, or another store's),
 * LOYALTY_QUOTE_EXPIRED.
 */
export function commitBodyOf(req: CommitRequest, now = Date.now()): CommitBody {
  if (req.quote === undefined) {
    // Validated field by field with CommitBody's own schemas, and store, currency and lines required without a quote
    // (CommitRequest): not parsed again, which would cost a commit its validation twice.
    const { quote: _none, store, currency, lines, ...rest } = req;
    return {
      ...rest,
      store: store!,
      currency: currency!,
      lines: lines!,
      redeemPoints: req.redeemPoints ?? 0,
      certificates: req.certificates ?? [],
    };
  }
  const quoted = openQuote(req.quote, now);
  if (req.store !== undefined && req.store !== quoted.store)
    throw new AppError('LOYALTY_QUOTE_INVALID', `store: the quote is for store ${quoted.store}, not ${req.store}.`, {
      fields: [{ field: 'store', message: `the quote is for store ${quoted.store}` }],
    });
  return {
    ...quoted,
    redeemPoints: req.redeemPoints ?? quoted.redeemPoints,
    certificates: req.certificates ?? quoted.certificates,
    number: req.number,
    occurredAt: req.occurredAt ?? new Date(now).toISOString(),
    ...(req.ladderStep !== undefined ? { ladderStep: req.ladderStep } : {}),
  };
}

function openQuote(token: string, now: number): QuoteBody {
  const invalid = () =>
    new AppError('LOYALTY_QUOTE_INVALID', 'quote: not a quote token of this Patron (altered, truncated, or sealed with another key).', {
      fields: [{ field: 'quote', message: 'not a valid quote token' }],
    });
  const plain = openToken(token, PURPOSE);
  if (plain === null) throw invalid();
  // Sealed by us, so well formed; parsed again all the same, so that a token from an older version is refused cleanly.
  let sealed: Sealed;
  try {
    const raw = JSON.parse(plain) as Sealed;
    sealed = { body: QuoteBody.parse(raw.body), exp: Number(raw.exp) };
  } catch {
    throw invalid();
  }
  if (!(sealed.exp > now))
    throw new AppError('LOYALTY_QUOTE_EXPIRED', `quote: expired at ${new Date(sealed.exp).toISOString()}; quote the basket again.`, {
      fields: [{ field: 'quote', message: 'expired' }],
    });
  return sealed.body;
}
