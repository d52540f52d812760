/**
 * Interactive-card bookkeeping (not a business domain, but database state all the same):
 * one-time card keys and the answers kept for callback redeliveries. The card layer in
 * bot/cards renders and routes; everything it remembers between callbacks lives here.
 */
export {
  CARD_TOKEN_TTL_MS,
  newCardToken,
  issueCardToken,
  peekCardToken,
  lockCardToken,
  consumeCardToken,
  setCardTokenResult,
  releaseCardToken,
  isCardTokenExpired,
  purgeExpiredCardTokens,
} from './card-tokens.js';
export type { CardToken } from './card-tokens.js';
export { spendCardToken, claimCardToken, finishClaimedCardToken } from './spend-card-token.js';
export type { SpendOutcome, KeyedStep, ClaimOutcome } from './spend-card-token.js';
export { cardReplyKey, storedCardReply, rememberCardReply } from './card-replies.js';
