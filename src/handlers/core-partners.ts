/** Handlers of the `core-partners` tag. */
import type { Handlers } from '../../generated/operations';
import { createPartner, findPartner, listPartners, rotatePartnerSecret, setPartnerStatus, updatePartner } from '../domain/partners/partners';
import { createPartnerContract, listPartnerContracts } from '../domain/partners/contracts';
import { endPartnerContract } from '../domain/payments/holds';
import { getRechargeLimits, setRechargeLimits } from '../domain/partners/recharge-limits';
import { createSandboxPartner } from '../domain/gateway/sandbox-partners';
import { holdsScope } from '../domain/actor';
import type { components } from '../../generated/schema';
import { actorOf, createOnce, REVEAL_SCOPE, type HandlerContext } from './context';

type SandboxCard = components['schemas']['SandboxCard'];

type PartnerAdminHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listPartners'
  | 'createPartner'
  | 'getPartner'
  | 'updatePartner'
  | 'rotatePartnerSecret'
  | 'disablePartner'
  | 'enablePartner'
  | 'listPartnerContracts'
  | 'createPartnerContract'
  | 'endPartnerContract'
  | 'getPartnerRechargeLimits'
  | 'setPartnerRechargeLimits'
  | 'createSandboxPartner'
>;

export const partnerAdminHandlers: PartnerAdminHandlers = {
  listPartners: (context, { query }) => listPartners(context.db, actorOf(context), query ?? {}),
  createPartner: (context, input) =>
    createOnce(
      context,
      'createPartner',
      input,
      async (db) => {
        const { partner, consumerSecret } = await createPartner(db, actorOf(context), input.body);
        return { ...partner, consumerSecret };
      },
      {
        // Stored under the key encrypted, so that a replay shows the secret again and a database dump does not.
        secrets: {
          seal: (created) => ({ ...created, consumerSecret: context.cardVault.encrypt(created.consumerSecret) }),
          open: (stored) => ({ ...stored, consumerSecret: context.cardVault.decrypt(stored.consumerSecret) }),
        },
      },
    ),
  getPartner: (context, { path }) => findPartner(context.db, actorOf(context), path.partnerId),
  updatePartner: (context, { path, body }) => updatePartner(context.db, actorOf(context), path.partnerId, body),
  rotatePartnerSecret: (context, { path, body }) => rotatePartnerSecret(context.db, actorOf(context), path.partnerId, body?.overlapSeconds),
  disablePartner: (context, { path }) => setPartnerStatus(context.db, actorOf(context), path.partnerId, 'disabled'),
  enablePartner: (context, { path }) => setPartnerStatus(context.db, actorOf(context), path.partnerId, 'active'),
  listPartnerContracts: (context, { path, query }) => listPartnerContracts(context.db, actorOf(context), path.partnerId, query?.status, query ?? {}),
  createPartnerContract: (context, input) =>
    createOnce(context, 'createPartnerContract', input, (db) => createPartnerContract(db, actorOf(context), input.path.partnerId, input.body)),
  endPartnerContract: (context, { path, body }) => endPartnerContract(context.db, actorOf(context), path.partnerId, path.contractId, body.reason),
  getPartnerRechargeLimits: (context, { path }) => getRechargeLimits(context.db, actorOf(context), path.partnerId),
  setPartnerRechargeLimits: (context, { path, body }) => setRechargeLimits(context.db, actorOf(context), path.partnerId, body),
  createSandboxPartner: (context, input) => {
    const vault = context.cardVault;
    const reveal = holdsScope(actorOf(context), REVEAL_SCOPE);
    const sealCard = (card: SandboxCard, number: string | null) => ({ ...card, number });
    return createOnce(context, 'createSandboxPartner', input, (db) => createSandboxPartner(db, vault, actorOf(context), input.body, reveal), {
      // Stored under the key encrypted (the secret and the cards' numbers), as for createPartner; numbers shown only to a caller holding core:cards.reveal.
      secrets: {
        seal: (seeded) => ({
          ...seeded,
          partner: { ...seeded.partner, consumerSecret: vault.encrypt(seeded.partner.consumerSecret) },
          cards: seeded.cards.map((card) => sealCard(card, card.number === null ? null : vault.encrypt(card.number))),
        }),
        open: (stored) => ({
          ...stored,
          partner: { ...stored.partner, consumerSecret: vault.decrypt(stored.partner.consumerSecret) },
          cards: stored.cards.map((card) => sealCard(card, card.number === null || !reveal ? null : vault.decrypt(card.number))),
        }),
      },
    });
  },
};
